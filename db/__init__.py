"""Storage for reader: schema, migrations and the Store API. Knows nothing of the UI."""
