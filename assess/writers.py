"""Compatibility face of the results writers: ``from tc8.writers import write_results`` (the
README's library example) keeps working. The code lives in :mod:`tc8.outputs.files`."""
from tc8.outputs.files import *  # noqa: F401,F403
