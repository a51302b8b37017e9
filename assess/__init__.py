"""tc8: appraise Vietnamese communes against New Rural Development criterion 8 from spatial data.

The package is a pipeline of stages, one subpackage each, imported one way only (lowest first;
CONTRIBUTING.md and ``tests/test_architecture.py``):

    model < text < io < validate < rules < measures < engine
          < renderers (outputs < maps < dossier) < pipeline < cli

Start at :mod:`tc8.pipeline` (the library's front door) or the ``tc8`` command
(:mod:`tc8.cli.main`). This module holds the version only and imports nothing.
"""
__version__ = "0.1.0"
