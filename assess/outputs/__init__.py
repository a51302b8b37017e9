"""Results files (GeoPackage, CSV, JSON) and the terminal summary."""
