"""What an account may do: one role each (the policy table, app/auth/policy.py, says what)."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"  # manages users; everything a coordinator can
    coordinator = "coordinator"  # plans and edits everything in the workflow
    clerk = "clerk"  # paperwork: reads everything, edits export data and certificates
    driver = "driver"  # one driver record: own assignments only
    recipient = "recipient"  # one destination: its items, convoys and needs
    treasurer = "treasurer"  # books the ledger, issues receipts and reports; plans nothing
    volunteer = "volunteer"  # one collection point: records, moves and packs goods there
