"""Spreadsheets in: needs lists checked row by row before anything is written."""
