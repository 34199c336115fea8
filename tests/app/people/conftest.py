"""The people fixtures for every module here (other modules import them from
``tests.app.people.fixtures``)."""

from tests.app.people.fixtures import admins, units  # noqa: F401 -- fixtures
