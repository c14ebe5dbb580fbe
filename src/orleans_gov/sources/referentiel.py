"""Readers of the real reference files: populations, geometry, police municipale survey, strata means,
competence table, OFGL aggregates (see data/raw/SOURCES.md)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import COMMUNES, SIREN_AGGLO


def _lire_csv(path: Path, **kw) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise ErreurDonnees("fichier introuvable", fichier=path)
    if path.stat().st_size == 0:
        raise ErreurDonnees("le fichier est vide", fichier=path)
    try:
        return pd.read_csv(path, **kw)
    except UnicodeDecodeError as exc:
        raise ErreurDonnees(f"encodage illisible (UTF-8 attendu) : {exc.reason}", fichier=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ErreurDonnees(f"CSV illisible : {exc}", fichier=path) from None


def _exiger(df: pd.DataFrame, colonnes, path) -> None:
    for c in colonnes:
        if c not in df.columns:
            raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(map(str, df.columns))})",
                                fichier=path, ligne=1, colonne=c)


def read_populations(path: str | Path) -> pd.DataFrame:
    """INSEE population municipale of the 22 communes by census vintage (``millesime_recensement``).

    Returns ``code_insee``, ``an`` (the vintage), ``population``, ``source``. Refuses unknown communes,
    negative or non-integer populations and duplicated commune-vintage pairs.
    """
    path = Path(path)
    df = _lire_csv(path, dtype={"code_insee": str}, encoding="utf-8")
    _exiger(df, ["code_insee", "millesime_recensement", "population_municipale", "source"], path)
    for i, r in df.iterrows():
        ligne = int(i) + 2
        if r["code_insee"] not in COMMUNES:
            raise ErreurDonnees("commune hors du périmètre des 22 communes", fichier=path, ligne=ligne,
                                colonne="code_insee", valeur=r["code_insee"])
        pop = pd.to_numeric(pd.Series([r["population_municipale"]]), errors="coerce").iloc[0]
        if pd.isna(pop) or pop != int(pop):
            raise ErreurDonnees("population non numérique", fichier=path, ligne=ligne,
                                colonne="population_municipale", valeur=r["population_municipale"])
        if pop < 0:
            raise ErreurDonnees("population négative", fichier=path, ligne=ligne,
                                colonne="population_municipale", valeur=r["population_municipale"])
    out = pd.DataFrame({
        "code_insee": df["code_insee"].astype("string"),
        "an": df["millesime_recensement"].astype("int64"),
        "population": df["population_municipale"].astype("int64"),
        "source": df["source"].astype("string"),
    })
    dup = out.duplicated(["code_insee", "an"], keep=False)
    if dup.any():
        ligne = int(out.index[dup.to_numpy()][1]) + 2
        raise ErreurDonnees("commune-millésime en double", fichier=path, ligne=ligne, colonne="millesime_recensement",
                            valeur=int(out.loc[dup].iloc[1]["an"]))
    return out.sort_values(["code_insee", "an"]).reset_index(drop=True)


COLONNES_POLICE = {
    "CODGEO": "code_insee",
    "ANNEE": "an",
    "Nombre d'agents de police municipale": "agents_police",
    "Nombre d'ASVP": "asvp",
    "Nombre de gardes champêtres": "gardes_champetres",
    "Mise en commun d'agents de police municipale entre plusieurs communes (binaire)": "mise_en_commun",
    "Population au 1er janvier de l'année d'enquête": "population",
}


def read_police_municipale(path: str | Path) -> pd.DataFrame:
    """Ministère de l'Intérieur « Police municipale : effectifs par commune » (December of each year), cleaned
    series. Returns ``code_insee``, ``an``, ``agents_police``, ``asvp``, ``gardes_champetres``,
    ``mise_en_commun``, ``population`` (NA stays missing: gaps of the ministry files)."""
    path = Path(path)
    df = _lire_csv(path, dtype={"CODGEO": str, "DEP": str}, na_values=["NA"], keep_default_na=False)
    _exiger(df, list(COLONNES_POLICE), path)
    out = df[list(COLONNES_POLICE)].rename(columns=COLONNES_POLICE)
    for c in ["agents_police", "asvp", "gardes_champetres", "mise_en_commun", "population"]:
        out[c] = pd.to_numeric(out[c], errors="raise").astype("Float64")
    out["an"] = out["an"].astype("int64")
    out["code_insee"] = out["code_insee"].astype("string")
    return out.sort_values(["code_insee", "an"]).reset_index(drop=True)


def read_police_enquete_2023(path: str | Path) -> pd.DataFrame:
    """Raw 2023 survey layout (every Loiret row). Returns ``libelle``, ``habitants``, ``agents_police``,
    ``asvp``, ``gardes_champetres``, ``maitre_chien``, ``chien_police``, ``mise_en_commun``."""
    path = Path(path)
    df = _lire_csv(path)
    df.columns = [c.strip() for c in df.columns]
    _exiger(df, ["communes", "habitants", "agents_police", "asvp", "gardes_champetres"], path)
    out = df.rename(columns={"communes": "libelle", "mise_en_commun_agent_municipal_commune": "mise_en_commun"})
    out["libelle"] = out["libelle"].str.strip()
    return out


def read_moyennes_strates(path: str | Path) -> pd.DataFrame:
    """Real DGFiP strata means (long format: ``an, strate, regime, code, valeur, unite, precision, source``)."""
    path = Path(path)
    df = _lire_csv(path)
    _exiger(df, ["an", "strate", "regime", "code", "valeur", "unite", "precision", "source"], path)
    df["valeur"] = pd.to_numeric(df["valeur"], errors="raise").astype("float64")
    df["an"] = df["an"].astype("int64")
    dup = df.duplicated(["an", "strate", "regime", "code"])
    if dup.any():
        raise ErreurDonnees("moyenne de strate en double", fichier=path, ligne=int(np.flatnonzero(dup)[0]) + 2,
                            colonne="code", valeur=df.loc[dup, "code"].iloc[0])
    return df.sort_values(["an", "strate", "regime", "code"]).reset_index(drop=True)


def read_competences(path: str | Path) -> pd.DataFrame:
    """The sourced competence table of the agglomeration (one line per competence, with its legal basis)."""
    path = Path(path)
    df = _lire_csv(path, dtype=str, keep_default_na=False)
    _exiger(df, ["domaine", "fonction_m14", "niveau", "depuis", "base_legale", "source_url", "source_titre", "note"],
            path)
    return df.replace({"": pd.NA}).astype("string")


COLONNES_PAR_CATEGORIE = ["domaine"] + [f"{c}_{k}" for c in ("communaute_agglomeration", "communaute_urbaine",
                                                              "metropole") for k in ("obligatoire", "article", "depuis")
                          ] + ["metropole_au_dela_cu", "complement"]


def read_competences_par_categorie(path: str | Path) -> pd.DataFrame:
    """The competences each category of EPCI must hold (L5216-5, L5215-20, L5217-2 CGCT; one line per domaine,
    empty cells kept as empty text, as :mod:`orleans_gov.scenarios.gouvernance.categories` reads them)."""
    path = Path(path)
    df = _lire_csv(path, dtype=str, keep_default_na=False)
    _exiger(df, COLONNES_PAR_CATEGORIE, path)
    return df


def read_ofgl_investissement(path: str | Path) -> pd.DataFrame:
    """OFGL investment aggregates of the agglomeration (k€, ``_ba`` = budgets annexes)."""
    path = Path(path)
    df = _lire_csv(path, sep=";")
    _exiger(df, ["siren_epci", "annee", "LBUDG", "population"], path)
    df["siren"] = df.pop("siren_epci").map(lambda x: f"{int(x):09d}").astype("string")
    df["an"] = df.pop("annee").astype("int64")
    if not (df["siren"] == SIREN_AGGLO).all():
        raise ErreurDonnees("SIREN autre que celui de l'agglomération", fichier=path, colonne="siren_epci")
    return df


def read_communes_geo(path: str | Path):
    """IGN ADMIN EXPRESS COG 2018 communes of the Loiret (GeoJSON, WGS84): ``code_insee``, ``nom``, geometry."""
    import geopandas as gpd  # heavy third-party import, deferred: keeps `import orleans_gov` fast
    path = Path(path)
    if not path.exists():
        raise ErreurDonnees("fichier introuvable", fichier=path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own errors: report them with the file name
        raise ErreurDonnees(f"GeoJSON illisible : {exc}", fichier=path) from None
    _exiger(gdf, ["code", "nom"], path)
    gdf = gdf.rename(columns={"code": "code_insee"})
    gdf["code_insee"] = gdf["code_insee"].astype("string")
    return gdf[["code_insee", "nom", "geometry"]].sort_values("code_insee").reset_index(drop=True)
