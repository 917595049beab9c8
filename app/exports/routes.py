from fastapi import APIRouter

router = APIRouter(prefix="/export-records", tags=["exports"])
