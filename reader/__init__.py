"""reader: read news articles in the terminal and tag spans as training data."""
