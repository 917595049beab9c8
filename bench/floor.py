"""The floor Konvoi is measured against: a bare FastAPI app returning one row by key through
SQLModel, on the same database (Konvoi's donor table). `uvicorn bench.floor:app`."""

import os

from fastapi import FastAPI
from sqlmodel import Field, Session, SQLModel, create_engine


class Donor(SQLModel, table=True):
    id: int = Field(primary_key=True)
    name: str


engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=40, max_overflow=0)
app = FastAPI()


@app.get("/donors/{donor_id}")
def donor(donor_id: int) -> Donor | None:
    with Session(engine) as session:
        return session.get(Donor, donor_id)
