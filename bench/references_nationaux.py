"""Baselines of bench/bench_extraction.py, each run in a fresh process: ``python bench/references_nationaux.py
TACHE FICHIER SORTIE``.

- ``duckdb-minimal-balances``: the minimal DuckDB aggregate of a balances file — ``read_csv`` with the same
  typed columns and reading options as ``extraire balances`` (UTF-8 mode on the ASCII columns), the same WHERE
  (budget principal, M14, commune or agglomeration, spending accounts), ``sum(OBNETDEB − OOBDEB)`` GROUP BY
  entity codes × year × function × section, written to Parquet by DuckDB (``import duckdb`` only);
- ``pandas-comptes`` / ``pandas-balances``: naive pandas, ``read_csv`` of the whole file then filter/groupby;
  ``pandas-pyarrow-balances``: the same with ``engine="pyarrow"``;
- ``plancher``: read the file's bytes in 16 MB blocks.
"""
from __future__ import annotations

import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]


def tache_duckdb_minimal_balances(fichier: Path, sortie: Path) -> None:
    """The floor of any DuckDB extraction of this file (nothing imported but duckdb)."""
    import duckdb

    sortie.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET memory_limit='1GB'")
    con.execute("SET preserve_insertion_order=false")
    noms = open(fichier, "rb").readline().decode("latin-1").strip().lower().split(";")
    montants = {"bedeb", "becre", "obnetdeb", "obnetcre", "onbdeb", "onbcre", "oobdeb", "oobcre", "sd", "sc"}
    colonnes = "{" + ", ".join(f"'{c}': '{'DOUBLE' if c in montants else 'VARCHAR'}'" for c in noms) + "}"
    con.execute(f"""COPY (
      SELECT siren, ndept, insee, exer, left(fonction, 1) AS fonction,
             CASE WHEN compte LIKE '6%' THEN 'fonctionnement' ELSE 'investissement' END AS section,
             sum(coalesce(obnetdeb, 0) - coalesce(oobdeb, 0)) / 1000.0 AS montant
      FROM read_csv('{fichier}', delim=';', quote='"', escape='"', header=true, auto_detect=false,
                    columns={colonnes}, decimal_separator=',', encoding='utf-8', strict_mode=true,
                    null_padding=false)
      WHERE cbudg IN ('1', '01') AND nomen LIKE 'M14%' AND (siren LIKE '21%' OR siren = '244500468')
        AND ((compte LIKE '6%' AND compte NOT LIKE '675%' AND compte NOT LIKE '676%')
             OR compte LIKE '20%' OR compte LIKE '21%' OR compte LIKE '23%')
      GROUP BY ALL) TO '{sortie}/agregat.parquet' (FORMAT parquet)""")


def tache_pandas_comptes(fichier: Path, sortie: Path) -> None:
    """Naive pandas: read the whole file, filter the perimeter, group the strata, write the same outputs."""
    import pandas as pd

    from orleans_gov.base.territoire import CODES_INSEE
    from orleans_gov.sources.nationaux import colonnes_strate

    df = pd.read_csv(fichier, sep=";", dtype={"an": str, "dep": str, "icom": str, "reg": str})
    df = df.loc[:, [c for c in df.columns if not c.startswith("Unnamed")]]
    icoms = [c[2:] for c in CODES_INSEE]
    per = df[(df["dep"] == "045") & df["icom"].isin(icoms)].copy()
    per.insert(0, "code_insee", per["dep"].str[1:] + per["icom"])
    strates = colonnes_strate(df.columns)
    bandes = per[["an", "nomsst1", "nomsst2"]].drop_duplicates()
    sub = df.merge(bandes, on=["an", "nomsst1", "nomsst2"])
    g = sub.groupby(["an", "nomsst1", "nomsst2"])[strates]
    mini, maxi = g.min(), g.max()
    assert ((maxi - mini).abs().fillna(0) < 1e-9).all().all()
    moy = mini.reset_index()
    moy.insert(3, "nb_communes", g.size().to_numpy())
    pops = df[["dep", "icom", "an", "pop1", "nomsst1", "nomsst2"]].copy()
    pops.insert(0, "code_insee", pops["dep"].str[1:] + pops["icom"])
    sortie.mkdir(parents=True, exist_ok=True)
    per.to_parquet(sortie / "communes_perimetre.parquet", index=False)
    moy.to_parquet(sortie / "moyennes_strates.parquet", index=False)
    pops.drop(columns=["dep", "icom"]).to_parquet(sortie / "populations_communes.parquet", index=False)


def _pandas_balances(fichier: Path, sortie: Path, moteur: str) -> None:
    import numpy as np
    import pandas as pd

    from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO

    texte = ["EXER", "IDENT", "NDEPT", "LBUDG", "MODVTHEL", "INSEE", "CBUDG", "CTYPE", "CSTYP", "NOMEN", "siren",
             "CREGI", "CACTI", "SECTEUR", "FINESS", "CODBUD1", "CATEG", "BAL", "FONCTION", "COMPTE"]
    if moteur == "pyarrow":   # the pyarrow engine has no decimal= option: amounts read as text, comma replaced
        df = pd.read_csv(fichier, sep=";", encoding="latin-1", dtype=str, engine="pyarrow", keep_default_na=False)
        for c in ("OBNETDEB", "OOBDEB"):
            df[c] = pd.to_numeric(df[c].str.replace(",", ".", regex=False).replace("", None))
    else:
        df = pd.read_csv(fichier, sep=";", decimal=",", encoding="latin-1", dtype={c: str for c in texte},
                         keep_default_na=False, na_values={c: [""] for c in ("BEDEB", "OBNETDEB", "OOBDEB")})
    df.columns = [c.lower() for c in df.columns]
    df = df[(df["cbudg"] == "1") & df["nomen"].str.startswith("M14")]
    est_commune = df["siren"].str.startswith("21")
    df = df[est_commune | (df["siren"] == SIREN_AGGLO)].copy()
    est_commune = df["siren"].str.startswith("21")
    c = df["compte"]
    section = np.where(c.str.startswith("6") & ~c.str.startswith("675") & ~c.str.startswith("676"), "fonctionnement",
                       np.where(c.str.startswith(("20", "21", "23")), "investissement", None))
    df["section"] = section
    df = df[df["section"].notna()]
    est_commune = est_commune[df.index]
    df["fonction"] = df["fonction"].str[:1].where(df["fonction"].str.match(r"\d"))
    df["code_insee"] = df["ndept"].str.zfill(3).str[1:] + df["insee"].str.zfill(3)
    df["entite"] = df["code_insee"].where(est_commune, df["siren"])
    df["montant"] = (df["obnetdeb"].fillna(0) - df["oobdeb"].fillna(0)) / 1000.0
    df["an"] = df["exer"].astype(int)
    g = df.groupby(["entite", "an", "fonction", "section"], dropna=False, as_index=False)["montant"].sum()
    perim = g[g["entite"].isin(list(CODES_INSEE) + [SIREN_AGGLO])]
    communes = g[g["entite"].str.len() == 5].rename(columns={"entite": "code_insee"})
    sortie.mkdir(parents=True, exist_ok=True)
    perim.to_parquet(sortie / "depenses_fonction_perimetre.parquet", index=False)
    communes.to_parquet(sortie / "depenses_fonction_communes.parquet", index=False)


def tache_pandas_balances(fichier: Path, sortie: Path) -> None:
    """Naive pandas (C engine): read the whole file, filter, classify accounts, group."""
    _pandas_balances(fichier, sortie, "c")


def tache_pandas_pyarrow_balances(fichier: Path, sortie: Path) -> None:
    """Same with ``engine="pyarrow"`` (multi-threaded CSV reader)."""
    _pandas_balances(fichier, sortie, "pyarrow")


def tache_plancher(fichier: Path, sortie: Path) -> None:
    with open(fichier, "rb") as f:
        while f.read(16 << 20):
            pass


TACHES = {"pandas-comptes": tache_pandas_comptes, "pandas-balances": tache_pandas_balances,
          "pandas-pyarrow-balances": tache_pandas_pyarrow_balances, "plancher": tache_plancher,
          "duckdb-minimal-balances": tache_duckdb_minimal_balances}


if __name__ == "__main__":
    if sys.argv[1] != "plancher" and sys.argv[1] != "duckdb-minimal-balances":
        sys.path.insert(0, str(RACINE / "src"))
    TACHES[sys.argv[1]](Path(sys.argv[2]), Path(sys.argv[3]))
