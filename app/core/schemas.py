"""The base of the API's schemas."""

from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.core import text


class Schema(BaseModel):
    """A request or response body."""

    # An answer only, never sent to Konvoi: its text is stored records and Konvoi's own
    # sentences, let in once already, so building one does not search it again.
    answer_only: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        """Text no database can store (NUL, a lone surrogate) is refused where it is sent: a
        JSON body or a page's form. Answers read from stored records hold only what was let
        in, and are not searched again."""
        if not isinstance(data, dict) or cls.answer_only or cls.model_config.get("from_attributes"):
            return data
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("unstorable_text", reason),
                loc=loc,
                input=text.echoable(_at(data, loc)),
            )
            for loc, reason in text.unstorable(data)
        ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


def _at(data: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
