"""A module for the census chain tests (Tests/e2e/test_census.py): the only
references to its Target and to the planted strings are in REGISTRY."""


class Target:
    """An instance that only REGISTRY["items"] holds."""


# The strings are made at import, so no code object holds them as constants.
REGISTRY = {
    "items": [Target()],
    "names": {"-".join(["planted", "key"]): "-".join(["planted", "value"])},
}
