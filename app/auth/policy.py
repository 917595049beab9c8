"""Who may call which API operation: one table, keyed by operation id.

An operation missing here is refused for everyone (and the authorization matrix test fails),
so a new route cannot ship without a decision. Row-level limits for drivers and recipients
(only their own assignments, only their own destination) are applied in the routes' lookups
and the services' list queries; this table decides only whether a role may try at all.
"""

from app.auth.roles import Role

A, C, K, D, R = Role.admin, Role.coordinator, Role.clerk, Role.driver, Role.recipient
T = Role.treasurer
V = Role.volunteer

PLAN = frozenset({A, C})  # plans and edits the workflow
OFFICE = frozenset({A, C, K})  # reads everything; the clerk edits the paperwork
PAPERWORK = OFFICE
EVERYONE = frozenset(Role)
# The money of a transport series: the office reads it, the treasurer keeps the books.
FUNDING = OFFICE | {T}
BOOKS = frozenset({A, T})

POLICY: dict[str, frozenset[Role]] = {
    # donors
    "list_donors": OFFICE,
    "get_donor": OFFICE,
    "create_donor": PLAN,
    "update_donor": PLAN,
    # the organisation that runs the convoys (the carrier on the papers): set by an admin
    "get_organisation": OFFICE,
    "create_organisation": frozenset({A}),
    "update_organisation": frozenset({A}),
    # destinations: a recipient sees its own
    "list_destinations": OFFICE | {R},
    "get_destination": OFFICE | {R},
    "create_destination": PLAN,
    "update_destination": PLAN,
    # needs: a recipient states its own
    "list_needs": OFFICE | {R},
    "get_need": OFFICE | {R},
    "create_need": PLAN | {R},
    "update_need": PLAN | {R},
    "cancel_need": PLAN | {R},
    # items: drivers see the vehicles and goods of their convoys, recipients their own
    "list_items": OFFICE | {D, R},
    "get_item": OFFICE | {D, R},
    "create_item": PLAN,
    "update_item": PLAN,
    "accept_item": PLAN,
    "allocate_item": PLAN,
    "certify_item": PAPERWORK,
    "mark_item_export_ready": PAPERWORK,
    "withdraw_item": PLAN,
    "accept_items": PLAN,
    "allocate_items": PLAN,
    "certify_items": PAPERWORK,
    "mark_items_export_ready": PAPERWORK,
    "list_cargo_lines": OFFICE | {D, R},
    "create_cargo_line": PLAN,
    "update_cargo_line": PLAN,
    "delete_cargo_line": PLAN,
    # paperwork
    "list_certificates": OFFICE,
    "get_certificate": OFFICE,
    "create_certificate": PAPERWORK,
    "update_certificate": PAPERWORK,
    "add_certificate_items": PAPERWORK,
    "remove_certificate_item": PAPERWORK,
    "list_export_records": OFFICE,
    "get_export_record": OFFICE | {D},
    "get_item_export_record": OFFICE | {D},
    "create_export_record": PAPERWORK,
    "create_export_records": PAPERWORK,
    "update_export_record": PAPERWORK,
    # drivers: personal data; a driver sees only their own record
    "list_drivers": OFFICE,
    "get_driver": OFFICE | {D},
    "create_driver": PLAN,
    "update_driver": PLAN,
    "export_driver_data": PLAN | {D},
    "erase_driver": frozenset({A}),
    # convoys
    "list_convoys": OFFICE | {D, R},
    "get_convoy": OFFICE | {D, R},
    "get_convoy_readiness": OFFICE,
    "create_convoy": PLAN,
    "update_convoy": PLAN,
    "add_leg": PLAN,
    "update_leg": PLAN,
    "delete_leg": PLAN,
    "get_way_back": OFFICE | {D},
    "add_return_vehicle": PLAN,
    "add_return_leg": PLAN,
    "update_return_leg": PLAN,
    "load_item": PLAN,
    "unload_item": PLAN,
    "load_items": PLAN,
    "assign_driver": PLAN,
    "assign_drivers_for_trip": PLAN,
    "swap_driver": PLAN,
    "unassign_driver": PLAN,
    "withdraw_driver": PLAN,
    "list_withdrawals": OFFICE,
    "mark_ready_convoy": PLAN,
    "depart_convoy": PLAN,
    "arrive_convoy": PLAN,
    "close_convoy": PLAN,
    "cancel_convoy": PLAN,
    "report_progress": PLAN | {D},
    "list_progress": OFFICE | {D, R},
    "record_handover": PLAN | {R},
    "list_handovers": OFFICE | {D, R},
    # papers: the office makes and issues them; a recipient gets its handover act, a driver
    # the CMR note of their vehicle (app/documents/service.py decides which paper is whose)
    "get_convoy_document": OFFICE | {D, R},
    "issue_convoy_document": OFFICE,
    "list_issued_documents": OFFICE,
    "get_issued_document": OFFICE,
    "download_issued_document": OFFICE,
    # the donor report, and links to it the donor can open without an account
    "get_donor_report": OFFICE,
    "share_donor_report": PLAN,
    "list_donor_report_links": OFFICE,
    "revoke_donor_report_link": PLAN,
    # spreadsheet imports: the planners'
    "import_needs": PLAN,
    "get_needs_template": OFFICE,
    "import_offer": PLAN,
    "get_offer_template": OFFICE,
    # a transport series and what pays for it: the planners plan programmes and transports,
    # the treasurer reads them and keeps the books, issues receipts and funders' reports
    "list_programmes": FUNDING,
    "get_programme": FUNDING,
    "create_programme": PLAN,
    "update_programme": PLAN,
    "list_transports": FUNDING,
    "get_transport": FUNDING,
    "create_transport": PLAN,
    "update_transport": PLAN,
    "list_funds": FUNDING,
    "get_fund": FUNDING,
    "create_fund": BOOKS,
    "get_balances": FUNDING,
    "get_forecast": FUNDING,
    "list_ledger_entries": FUNDING,
    "get_ledger_entry": FUNDING,
    "book_entry": BOOKS,
    "reverse_entry": BOOKS,
    "export_ledger": FUNDING,
    "list_pledges": FUNDING,
    "create_pledge": BOOKS,
    "update_pledge": BOOKS,
    "book_pledge_month": BOOKS,
    "list_grants": FUNDING,
    "get_grant": FUNDING,
    "create_grant": BOOKS,
    "issue_transport_report": BOOKS,
    "issue_fund_year_report": BOOKS,
    "issue_donation_receipt": BOOKS,
    "list_funding_papers": FUNDING,
    "download_funding_paper": FUNDING,
    # attached files: whoever may see the record (app/attachments/service.py); a recipient
    # uploads the signed papers of its own items, the treasurer the receipts of the books
    "create_attachment": OFFICE | {R, T},
    "list_attachments": OFFICE | {D, R, T},
    "download_attachment": OFFICE | {D, R, T},
    "import_intake": PLAN | {V},
    "get_intake_template": OFFICE | {V},
    # the collection point: a volunteer records, moves and packs at their own hall (the
    # routes' lookups keep them to it); the office reserves stock for needs and ships pallets
    "list_collection_points": OFFICE | {V},
    "get_collection_point": OFFICE | {V},
    "create_collection_point": PLAN,
    "update_collection_point": PLAN,
    "list_storage_places": OFFICE | {V},
    "create_storage_place": PLAN,
    "get_stock_catalogue": OFFICE | {V},
    "record_intake": PLAN | {V},
    "list_stock": OFFICE | {V},
    "get_stock_line": OFFICE | {V},
    "move_stock": PLAN | {V},
    "write_off_stock": PLAN,
    "count_stock": PLAN,
    "list_stock_movements": OFFICE | {V},
    "match_stock": OFFICE,
    "list_reservations": OFFICE | {V},
    "reserve_stock": PLAN,
    "fill_need_from_stock": PLAN,
    "release_reservation": PLAN,
    "list_pallets": OFFICE | {V},
    "create_pallet": PLAN | {V},
    "get_pallet": OFFICE | {V},
    "update_pallet": PLAN | {V},
    "pack_pallet": PLAN | {V},
    "load_pallet": PLAN,
    "hand_over_pallet": PLAN,
    # audit trail
    "list_audit_entries": OFFICE,
    "get_donor_history": OFFICE,
    "get_destination_history": OFFICE,
    "get_need_history": OFFICE,
    "get_item_history": OFFICE,
    "get_certificate_history": OFFICE,
    "get_export_record_history": OFFICE,
    "get_driver_history": OFFICE,
    "get_convoy_history": OFFICE,
    # accounts
    "list_users": frozenset({A}),
    "create_user": frozenset({A}),
    "get_user": frozenset({A}),
    "update_user": frozenset({A}),
    "whoami": EVERYONE,
    "revoke_token": EVERYONE,
}

# Reachable without a token: logging in.
PUBLIC = frozenset({"issue_token"})


def may(role: Role, operation: str) -> bool:
    """Whether ``role`` may carry out ``operation``: the API's table, asked by the pages too."""
    return role in POLICY.get(operation, frozenset())
