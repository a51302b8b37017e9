"""The data model every stage shares: the input schema, typed inputs, results, problems, vocabulary."""
