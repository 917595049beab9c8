"""The papers of a 60-vehicle convoy with 600 cargo lines: time to generate each.

Plans a convoy of 60 export-ready buses through the API in a fresh SQLite database, gives
each bus ten cargo lines (600 in all), then asks the API for the manifest as PDF, the export
sheet as XLSX and one CMR note, alternating, and prints the median of each (the whole
request: gathering the facts, typesetting, answering).

    python -m bench.documents             # make bench-documents
"""

import statistics
import time

from bench.planning_calls import fresh_app, plan

ROUNDS = 9
LINES_PER_VEHICLE = 10


def main() -> None:
    with fresh_app() as client:
        planner = plan(client, batch=True, vehicles_count=60, equipment_count=0, number=6)
        convoy = planner.call("GET", f"/convoys/{planner.convoy_id}")
        vehicles = [i for i in convoy["items"] if i["category"] == "vehicle"]
        for vehicle in vehicles:
            for n in range(LINES_PER_VEHICLE):
                planner.call(
                    "POST",
                    f"/items/{vehicle['item_id']}/cargo",
                    json={
                        "description": f"Submersible pump 11 kW, crate {n + 1}",
                        "description_uk": f"Занурювальний насос 11 кВт, ящик {n + 1}",
                        "quantity": 2,
                        "weight_kg": 300,
                        "value_cents": 400_000,
                        "hs_code": "8413",
                        "marks": f"K{n + 1}",
                    },
                )
        base = f"/api/v1/convoys/{planner.convoy_id}/documents"
        requests = {
            "manifest PDF (60 vehicles, 600 lines)": (f"{base}/manifest", {"format": "pdf"}),
            "export sheet XLSX (660 rows)": (f"{base}/export_sheet", {"format": "xlsx"}),
            "manifest CSV": (f"{base}/manifest", {"format": "csv"}),
            "CMR note, one vehicle": (f"{base}/cmr", {"vehicle_id": vehicles[0]["item_id"]}),
        }
        times: dict[str, list[float]] = {name: [] for name in requests}
        sizes: dict[str, int] = {}
        for _round in range(ROUNDS):
            for name, (path, params) in requests.items():
                start = time.perf_counter()
                response = client.get(path, params=params)
                times[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text
                sizes[name] = len(response.content)
    print(f"{'document':<40} {'median ms':>10} {'min ms':>8} {'size KB':>8}")
    for name, measured in times.items():
        print(
            f"{name:<40} {statistics.median(measured):>10.1f} {min(measured):>8.1f}"
            f" {sizes[name] / 1024:>8.1f}"
        )
    print(f"({ROUNDS} rounds, alternating; SQLite, in-process)")


if __name__ == "__main__":
    main()
