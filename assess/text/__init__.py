"""Words: the message catalogue (vi/en), reason sentences, problems and figures in words, joins
and text bounds. Imports only :mod:`tc8.model`; every other stage may use it.
"""
