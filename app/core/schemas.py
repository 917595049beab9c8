"""The base of the API's schemas."""

import warnings

from pydantic import BaseModel, ConfigDict
from pydantic.warnings import UnsupportedFieldAttributeWarning


class Schema(BaseModel):
    """A request or response body. Its validator is built when it is first used, not when
    its module is imported: a start builds only what the first requests need, as with the
    routes (app/core/routing.py)."""

    model_config = ConfigDict(defer_build=True)


# FastAPI hands pydantic a request body's schema with the parameter's name as an alias
# (`data: ConvoyCreate` → alias "data"). A body is validated whole, so the alias never had an
# effect; pydantic says so only for a schema that is built late, as these are.
warnings.filterwarnings(
    "ignore",
    message=r"The 'alias' attribute with value '\w+' was provided to the `Field\(\)` function",
    category=UnsupportedFieldAttributeWarning,
)
