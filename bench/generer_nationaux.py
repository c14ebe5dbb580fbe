"""National-scale synthetic DGFiP files in the exact official layouts, for bench/bench_extraction.py.

- comptes individuels des communes (:func:`generer_comptes`): ``n_communes`` communes × years, 2013 header
  (204 named fields + the trailing empty one), ``;``, ``.`` decimal point, UTF-8, per-inhabitant values and
  ratios consistent with the amounts, identical strata means within each (year, band, regime);
- balances nature × fonction (:func:`generer_balances`): ``n_lignes`` lines, official header, ``;``, decimal
  comma, ISO-8859-1.

Seeded: the same arguments give the same bytes.
"""
from __future__ import annotations

import codecs
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE / "src"))


def generer_comptes(chemin: Path, n_communes: int, annees: list[int], graine: int = 45) -> None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from orleans_gov.sources.nationaux import colonnes_strate
    from orleans_gov.sources.dgfip import COLONNES_TEXTE_COMMUNES, ENTETE_COMMUNES_2013, ratios_dgfip
    from orleans_gov.base.territoire import CODES_INSEE, REGIME_FPU, STRATES_DGFIP

    rng = np.random.default_rng(graine)
    deps = [f"{d:03d}" for d in range(1, 96) if d != 20]
    # our 22 communes first (dep 045), then the others spread over the départements
    codes = [("045", c[2:]) for c in CODES_INSEE]
    pris = {("045", c[2:]) for c in CODES_INSEE}
    compteur = {d: 1 for d in deps}
    while len(codes) < n_communes:
        d = deps[len(codes) % len(deps)]
        k = ("%03d" % compteur[d])
        compteur[d] += 1
        if (d, k) not in pris:
            codes.append((d, k))
            pris.add((d, k))
    n = len(codes)
    pop = np.maximum(50, rng.lognormal(6.3, 1.3, n)).round()
    pop[:22] = rng.integers(1000, 30000, 22)
    pop[CODES_INSEE.index("45234")] = 116000
    regimes = np.array([REGIME_FPU, "appartenant à un groupement fiscalisé (FPA)",
                        "n'appartenant à aucun groupement fiscalisé"])
    regime = regimes[rng.choice(3, n, p=[0.7, 0.25, 0.05])]
    regime[:22] = REGIME_FPU
    bornes = np.array([b for b, _ in STRATES_DGFIP])
    libelles = np.array([l for _, l in STRATES_DGFIP])
    entete = ENTETE_COMMUNES_2013
    numeriques = [c for c in entete if c not in COLONNES_TEXTE_COMMUNES]
    strates = colonnes_strate(entete)
    morceaux = []
    for an in annees:
        p = (pop * (1 + 0.005 * (an - annees[0]))).round()
        df = pd.DataFrame(rng.uniform(0, 5000, (n, len(numeriques))).round(2), columns=numeriques)
        df["pop1"] = p
        df["prod"] = (p * rng.uniform(0.8, 1.6, n)).round(2)
        df["charge"] = (df["prod"] * rng.uniform(0.7, 0.95, n)).round(2)
        df["recinv"] = (p * rng.uniform(0.2, 0.6, n)).round(2)
        df["depinv"] = (p * rng.uniform(0.2, 0.6, n)).round(2)
        calc = ratios_dgfip(df)
        for c in calc.columns:
            df[c] = calc[c].round(0 if c.startswith("f") else 2)
        textes = pd.DataFrame({"an": str(an), "dep": [d for d, _ in codes], "icom": [k for _, k in codes],
                               "inom": [f"COMMUNE {d}{k}" for d, k in codes], "reg": "024",
                               "nomsst1": libelles[np.searchsorted(bornes, p, side="right") - 1],
                               "nomsst2": regime})
        df = pd.concat([textes, df], axis=1)
        # strata means: identical within (year, band, regime)
        premier = df.groupby(["nomsst1", "nomsst2"])[strates].transform("first")
        df[strates] = premier
        morceaux.append(df[entete])
    tout = pd.concat(morceaux, ignore_index=True)
    table = pa.Table.from_pandas(tout, preserve_index=False)
    table = table.append_column("", pa.nulls(len(tout), pa.string()))  # trailing empty 205th field
    chemin.parent.mkdir(parents=True, exist_ok=True)
    # official layout: unquoted header and cells (pyarrow would quote the header names)
    with open(chemin, "wb") as f:
        f.write((";".join(table.column_names) + "\n").encode("utf-8"))
        pacsv.write_csv(table, f, pacsv.WriteOptions(delimiter=";", quoting_style="none", include_header=False))


COMPTES_BAL = ["6411", "6413", "60611", "60612", "6064", "611", "6226", "6232", "65548", "6574", "66111", "6811",
               "675", "676", "6419", "2313", "2315", "21318", "2183", "2188", "2031", "2041582", "204412", "1641",
               "10226", "238", "7411", "73111", "70632", "7788", "021", "023", "4581", "2764"]
FONCTIONS_BAL = ["020", "01", "022", "110", "112", "211", "212", "213", "251", "311", "314", "33", "411", "412",
                 "414", "422", "520", "522", "61", "64", "72", "810", "812", "813", "814", "822", "824", "830",
                 "90", "94"]


def generer_balances(chemin: Path, n_lignes: int, graine: int = 57) -> None:
    import duckdb
    import numpy as np
    import pyarrow as pa

    from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO

    rng = np.random.default_rng(graine)
    n_communes = 35000
    deps = np.array([f"{d:03d}" for d in range(1, 96) if d != 20])
    # entities: communes (siren 21…), CCAS (26…), syndicats (25…), EPCI (24…); ours included
    ent_dep = deps[np.arange(n_communes) % len(deps)]
    ent_ins = np.array([f"{(i // len(deps)) + 1:03d}" for i in range(n_communes)])
    ent_siren = np.array([f"21{i:07d}" for i in range(n_communes)])
    for j, c in enumerate(CODES_INSEE):
        ent_dep[j], ent_ins[j], ent_siren[j] = "045", c[2:], COMMUNES[c][0]
    ent_categ = np.array(["Commune"] * n_communes)
    autres = 6000
    ent_dep = np.concatenate([ent_dep, deps[np.arange(autres) % len(deps)]])
    ent_ins = np.concatenate([ent_ins, np.array([f"{(i % 900) + 1:03d}" for i in range(autres)])])
    ent_siren = np.concatenate([ent_siren, np.array([f"{26 - i % 3}{i:07d}" for i in range(autres)])])
    ent_categ = np.concatenate([ent_categ, np.array(["CCAS", "Syndicat", "GFP"] * (autres // 3))])
    ent_siren[n_communes] = SIREN_AGGLO
    ent_categ[n_communes] = "GFP"
    n_ent = len(ent_siren)
    ent_nomen = np.where(rng.random(n_ent) < 0.08, "M57", "M14")
    ent_nomen[:22] = "M14"
    ent_nomen[n_communes] = "M14"
    ent_petite = rng.random(n_ent) < 0.6  # no functional presentation (< 3 500 hab)
    ent_petite[:22] = False
    e = rng.integers(0, n_ent, n_lignes)
    e[: 22 * 60] = np.repeat(np.arange(22), 60)
    exer = np.where(rng.random(n_lignes) < 0.5, "2019", "2020")
    fonction = np.array(FONCTIONS_BAL)[rng.integers(0, len(FONCTIONS_BAL), n_lignes)]
    fonction = np.where(ent_petite[e], "", fonction)
    compte = np.array(COMPTES_BAL)[rng.integers(0, len(COMPTES_BAL), n_lignes)]
    cbudg = np.where(rng.random(n_lignes) < 0.1, "3", "1")
    obnetdeb = rng.integers(0, 50_000_000, n_lignes)          # cents
    oobdeb = np.where(rng.random(n_lignes) < 0.15, obnetdeb // 2, 0)
    lbudg = np.where(ent_categ[e] == "Commune", "COMMUNE DE SAINT-ÉTIENNE", "SYNDICAT INTERCOMMUNAL")
    t = pa.table({
        "EXER": exer, "IDENT": np.char.add("1", ent_siren[e]), "NDEPT": ent_dep[e], "LBUDG": lbudg,
        "MODVTHEL": np.full(n_lignes, ""), "INSEE": ent_ins[e], "CBUDG": cbudg, "CTYPE": np.full(n_lignes, "101"),
        "CSTYP": np.full(n_lignes, ""), "NOMEN": ent_nomen[e], "siren": ent_siren[e], "CREGI": np.full(n_lignes, ""),
        "CACTI": np.full(n_lignes, ""), "SECTEUR": np.full(n_lignes, ""), "FINESS": np.full(n_lignes, ""),
        "CODBUD1": np.full(n_lignes, ""), "CATEG": ent_categ[e], "BAL": np.full(n_lignes, "DEF"),
        "FONCTION": fonction, "COMPTE": compte,
        "c_bedeb": rng.integers(0, 1_000_000, n_lignes), "c_becre": rng.integers(0, 1_000_000, n_lignes),
        "c_obnetdeb": obnetdeb, "c_obnetcre": rng.integers(0, 100_000, n_lignes),
        "c_onbdeb": rng.integers(0, 1_000_000, n_lignes), "c_onbcre": rng.integers(0, 1_000_000, n_lignes),
        "c_oobdeb": oobdeb, "c_oobcre": rng.integers(0, 100_000, n_lignes),
        "c_sd": rng.integers(0, 10_000_000, n_lignes), "c_sc": rng.integers(0, 10_000_000, n_lignes),
    })
    montants = ["BEDEB", "BECRE", "OBNETDEB", "OBNETCRE", "ONBDEB", "ONBCRE", "OOBDEB", "OOBCRE", "SD", "SC"]
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.register("t", t)
    sel = ", ".join([f'"{c}"' for c in t.column_names if not c.startswith("c_")]
                    + [f"(c_{m.lower()} // 100)::VARCHAR || ',' || lpad((c_{m.lower()} % 100)::VARCHAR, 2, '0') AS {m}"
                       for m in montants])
    tmp = chemin.with_suffix(".utf8.csv")
    chemin.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT {sel} FROM t) TO '{tmp}' (FORMAT csv, DELIMITER ';', HEADER true, QUOTE '')")
    con.close()
    # official files are ISO-8859-1: transcode (streaming)
    dec = codecs.getincrementaldecoder("utf-8")()
    with open(tmp, "rb") as s, open(chemin, "wb") as d:
        for bloc in iter(lambda: s.read(16 << 20), b""):
            d.write(dec.decode(bloc).encode("iso-8859-1"))
    tmp.unlink()


# python bench/generer_nationaux.py comptes FICHIER N_COMMUNES N_ANNEES | balances FICHIER N_LIGNES
if __name__ == "__main__":
    if sys.argv[1] == "comptes":
        generer_comptes(Path(sys.argv[2]), int(sys.argv[3]), list(range(2013, 2013 + int(sys.argv[4]))))
    else:
        generer_balances(Path(sys.argv[2]), int(sys.argv[3]))
