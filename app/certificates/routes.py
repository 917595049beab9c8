from fastapi import APIRouter

router = APIRouter(prefix="/certificates", tags=["certificates"])
