"""Hand derivation of the case study's climate impact (kg CO2e, GWP100) per method.

Independent of the amspares package: only the cited factors below and the environmental model's
equations (thesis Eq. 32-41 as restated in docs/model.md, environmental model):

    up  = weight_kg / material_efficiency                                   (Eq. 33)
    EM  = material * up * P                                                 (Eq. 34-35)
    EP  = P * weight_kg * (process + energy_kwh_per_kg * electricity)       (Eq. 37-38)
    ET  = P * up * sum(km*t, to_factory) + W * weight_kg * sum(km*t, to_warehouse)
          + n * weight_kg * sum(km*t, to_customer)                          (Eq. 40-41)
    EE  = extra * P
    ETC = EM + EP + ET + EE                                                 (Eq. 32)

Units P, W, n (spec table of section 4): regular S* = 5 -> P = W = n + S* = 65, n = 60;
am_mts S* = 2 (from `PYTHONPATH=pysrc python3 -m amspares.cli evaluate --json` on the shipped
case study, waiting_time = "erlang_c") -> P = W = 62; am_mto P = 60, W = 0.

Exact rational arithmetic (fractions.Fraction on the decimal factors), printed to 10 significant
digits. The same script recomputes the Eco-indicator numbers as a check of the formulas against
the tool's own published case-study result (regular 18913.75 mPts).

Run:  python3 case_study_co2e_expected.py  (writes nothing; prints the tables used in the .md)
"""

from fractions import Fraction as F

D = lambda s: F(s)  # noqa: E731  decimal string -> exact rational

# ---- cited factors (kg CO2e) -------------------------------------------------------------
PA_KGCO2E = D("9.14")            # ICE v2.0 (Hammond & Jones 2011), Plastics > Nylon (Polyamide) > 6 Polymer;
#                                  published value, NOT openly licensed: cited in the scenario, not shipped
NL_KGCO2E_PER_KWH = D("0.2527")  # Ember 2024 via co2.js, NLD 252.7 g/kWh (grids.csv, CC BY 4.0)
MOULDING_KWH_PER_KG = D("1.189189")  # processes.csv injection_moulding_pvc_pc: 44 mPts/kg / 37 mPts/kWh
T = {  # transport_modes.csv, DESNZ 2025 (OGL v3.0), direct emissions, kg CO2e per kg-km
    "truck_28t": D("0.00017146"),
    "van": D("0.00063130"),
    "plane": D("0.00053130"),      # without radiative forcing
    "plane_rf": D("0.00089939"),   # with radiative forcing (sensitivity only)
}
# ---- Eco-indicator 99 factors (mPts), for the check against the tool -------------------------
T_MPTS = {"truck_28t": D("0.022"), "van": D("0.14"), "plane": D("0.078"), "plane_rf": D("0.078")}

W_KG = D("0.25")
N = 60
AM_KWH = D("29.746")             # SLS EOSINT P 390: 107 MJ/kg * 0.278 (Eq. 36)

METHODS = {
    #            P,  W,  ueff,   process/kg (climate),                       kWh/kg, legs (factory, warehouse, customer)
    "regular": (65, 65, D("0.8"), MOULDING_KWH_PER_KG * NL_KGCO2E_PER_KWH, D(0),
                [("truck_28t", 5000)], [("truck_28t", 5000)], [("van", 100), ("plane", 1000)]),
    "am_mts": (62, 62, D("0.6"), D(0), AM_KWH,
               [("truck_28t", 5000)], [], [("van", 100), ("plane", 1000)]),
    "am_mto": (60, 0, D("0.6"), D(0), AM_KWH,
               [("truck_28t", 5000)], [], [("van", 100)]),
}
PROCESS_MPTS = {"regular": D(44), "am_mts": D(0), "am_mto": D(0)}


def leg(legs, table, plane="plane"):
    return sum((table[plane if m == "plane" else m] * km for m, km in legs), F(0))


def impact(method, material, electricity, table, process=None, plane="plane"):
    P, W, ueff, proc, kwh, fac, wh, cust = METHODS[method]
    if process is not None:
        proc = process
    up = W_KG / ueff                                               # Eq. 33
    em = material * up * P                                         # Eq. 34-35
    ep = P * W_KG * (proc + kwh * electricity)                     # Eq. 37-38
    et = (P * up * leg(fac, table, plane) + W * W_KG * leg(wh, table, plane)
          + N * W_KG * leg(cust, table, plane))                    # Eq. 40-41
    ee = F(0)                                                      # extra = 0 in the case study
    return {"material": em, "process": ep, "transport": et, "extra": ee, "total": em + ep + et + ee}


def fmt(x):
    return f"{float(x):.10g}"


def main():
    print("kg CO2e per method (NL grid 2024, plane without RF)")
    co2 = {m: impact(m, PA_KGCO2E, NL_KGCO2E_PER_KWH, T) for m in METHODS}
    for m, r in co2.items():
        print(f"  {m:8s}", "  ".join(f"{k}={fmt(v)}" for k, v in r.items()))
    mpts = {m: impact(m, D(630), D(37), T_MPTS, process=PROCESS_MPTS[m]) for m in METHODS}
    print("mPts per method (check against the tool: regular 18913.75, am_mts 37555.99767, am_mto 35219.03)")
    for m, r in mpts.items():
        print(f"  {m:8s}", "  ".join(f"{k}={fmt(v)}" for k, v in r.items()))
    assert mpts["regular"]["total"] == D("18913.75")
    assert mpts["am_mto"]["total"] == D("35219.03")
    assert abs(float(mpts["am_mts"]["total"]) - 37555.99766666666) < 1e-9
    for name, r in (("kg CO2e", co2), ("mPts", mpts)):
        print(f"greenest by {name}: {min(r, key=lambda m: r[m]['total'])}; order",
              sorted(r, key=lambda m: r[m]["total"]))
    print("shares of the total (material / process / transport):")
    for m in METHODS:
        for name, r in (("kg CO2e", co2), ("mPts", mpts)):
            t = r[m]["total"]
            print(f"  {m:8s} {name:7s}", " / ".join(f"{float(100 * r[m][k] / t):.1f}%"
                                                   for k in ("material", "process", "transport")))
    print("sensitivity: plane with radiative forcing (plane_rf)")
    for m in METHODS:
        print(f"  {m:8s} total={fmt(impact(m, PA_KGCO2E, NL_KGCO2E_PER_KWH, T, plane='plane_rf')['total'])}")
    print("sensitivity: grid (kg CO2e/kWh, shipped grids table)")
    for g, e in (("UK", D("0.17700")), ("EU-27", D("0.21302")), ("NL", NL_KGCO2E_PER_KWH),
                 ("DE", D("0.34206")), ("US", D("0.38355"))):
        row = {m: impact(m, PA_KGCO2E, e, T, process=(MOULDING_KWH_PER_KG * e if m == "regular" else None))
               for m in METHODS}
        print(f"  {g:6s}", "  ".join(f"{m}={fmt(r['total'])}" for m, r in row.items()))
    # energy break-even of AM MTO vs regular (thesis 5.2, Fig. 26): AM energy (MJ/kg) at which equal
    for name, r, e in (("mPts", mpts, D(37)), ("kg CO2e", co2, NL_KGCO2E_PER_KWH)):
        no_energy = r["am_mto"]["total"] - r["am_mto"]["process"]
        gap = r["regular"]["total"] - no_energy            # process impact AM MTO may have
        mj = gap / (60 * W_KG * e * D("0.278"))
        print(f"energy break-even {name}: AM MTO without process = {fmt(no_energy)} vs regular "
              f"{fmt(r['regular']['total'])} -> {fmt(mj)} MJ/kg" + ("  (none: negative)" if mj < 0 else ""))


if __name__ == "__main__":
    main()
