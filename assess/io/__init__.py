"""Files in and out that are not results: reading input layers, the template, atomic writes, safe paths, the bundled demo."""
