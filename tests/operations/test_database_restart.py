"""PostgreSQL restarted while writers keep writing (bench/database_restart.py does the work).

The outage is answered at once with 503 and a message that says what happened, never a 500
or a hang; the service recovers by itself within seconds of the database's return; and every
write answered 201 is in the database afterwards.
"""

from pathlib import Path

from bench.database_restart import run


def test_a_database_restart_costs_quick_503s_and_no_answered_write(tmp_path: Path) -> None:
    outcome = run(tmp_path)
    report = f"{outcome.report()}\n{outcome.log[-3000:]}"
    statuses = {a.status for a in outcome.answers}
    assert statuses <= {201, 503}, report
    outage = outcome.during_outage()
    assert outage, report
    assert all(a.status == 503 for a in outage), report
    assert all(a.code == "database_unavailable" for a in outage), report
    assert max(a.elapsed for a in outage) < 5, report
    recovered = outcome.recovered_after()
    assert recovered is not None and recovered < 5, report
    # Written before and after the outage, and each one answered 201 is kept.
    assert any(a.status == 201 and a.sent < outcome.down_at for a in outcome.answers), report
    assert outcome.answered_created() <= outcome.stored, report
    assert '"level": "ERROR"' not in outcome.log, report
