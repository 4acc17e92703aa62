"""In a regular install, the bundled header sets and specs land here as
``headers/`` and ``specs/`` (mapped from the top-level folders by
pyproject.toml); ``abicheck.bundled`` finds them either way."""
