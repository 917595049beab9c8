from fastapi import APIRouter

router = APIRouter(prefix="/needs", tags=["needs"])
