"""The office's registers as pages: a list, a record with its files and its history, a form.

Each domain describes its register in its own ``pages.py``; the record page shows the audit
trail and the attachments, so this sits beside the domains, not in the shared frame.
"""
