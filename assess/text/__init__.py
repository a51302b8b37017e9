"""Words: the message catalogue (vi/en), reason sentences, joins and text bounds."""
