"""The base of the API's schemas."""

from pydantic import BaseModel


class Schema(BaseModel):
    """A request or response body."""
