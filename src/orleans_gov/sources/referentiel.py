"""Readers of the real reference files: populations, geometry, police municipale survey, strata means,
competence table, OFGL aggregates (see data/raw/SOURCES.md)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import exiger_fichier
from orleans_gov.base.territoire import COMMUNES, SIREN_AGGLO
from orleans_gov.sources.csv_officiel import POPULATION_MAX, annees, controler, en_nombres


def _lire_csv(path: Path, **kw) -> pd.DataFrame:
    path = exiger_fichier(path)
    try:
        return pd.read_csv(path, **kw)
    except UnicodeDecodeError as exc:
        raise ErreurDonnees(f"encodage illisible (UTF-8 attendu) : {exc.reason}", fichier=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ErreurDonnees(f"CSV illisible : {exc}", fichier=path) from None
    except OSError as exc:
        raise ErreurDonnees(f"fichier illisible ({exc.strerror or exc})", fichier=path) from None


def _texte(path: Path, **kw) -> pd.DataFrame:
    """Every cell as text (no type inference, empty cell = ""), indexed by the line number an editor shows
    (header = 1): the strict conversions then name the line of a bad cell."""
    df = _lire_csv(path, dtype=str, keep_default_na=False, **kw)
    df.index = pd.RangeIndex(2, 2 + len(df), name="ligne")
    return df


def _exiger(df: pd.DataFrame, colonnes, path) -> None:
    for c in colonnes:
        if c not in df.columns:
            raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(map(str, df.columns))})",
                                fichier=path, ligne=1, colonne=c)


def read_populations(path: str | Path) -> pd.DataFrame:
    """INSEE population municipale of the 22 communes by census vintage (``millesime_recensement``).

    Returns ``code_insee``, ``an`` (the vintage), ``population``, ``source``. Refuses unknown communes,
    populations that are missing, not whole, negative, infinite or implausible (> :data:`POPULATION_MAX`),
    vintages that are not a 4-digit year, and duplicated commune-vintage pairs.
    """
    path = Path(path)
    df = _texte(path, encoding="utf-8")
    _exiger(df, ["code_insee", "millesime_recensement", "population_municipale", "source"], path)
    hors = ~df["code_insee"].isin(list(COMMUNES))
    if hors.any():
        i = df.index[hors.to_numpy()][0]
        raise ErreurDonnees("commune hors du périmètre des 22 communes", fichier=path, ligne=int(i),
                            colonne="code_insee", valeur=df.at[i, "code_insee"])
    an = annees(df, "millesime_recensement", path)
    pop = en_nombres(df, ["population_municipale"], path)["population_municipale"]
    if pop.isna().any():
        i = pop.index[pop.isna().to_numpy()][0]
        raise ErreurDonnees("population manquante", fichier=path, ligne=int(i), colonne="population_municipale")
    controler(pop, df, "population_municipale", path, entier=True, positif=True, maximum=POPULATION_MAX)
    out = pd.DataFrame({
        "code_insee": df["code_insee"].astype("string"),
        "an": an,
        "population": pop.astype("int64"),
        "source": df["source"].astype("string"),
    })
    dup = out.duplicated(["code_insee", "an"], keep=False)
    if dup.any():
        ligne = int(out.index[dup.to_numpy()][1])
        raise ErreurDonnees("commune-millésime en double", fichier=path, ligne=ligne, colonne="millesime_recensement",
                            valeur=int(out.loc[ligne, "an"]))
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
    df = _texte(path)
    _exiger(df, list(COLONNES_POLICE), path)
    brut = df[list(COLONNES_POLICE)].rename(columns=COLONNES_POLICE)
    brut = brut.replace("NA", "")   # the ministry writes NA for a missing figure
    out = pd.DataFrame(index=brut.index)
    out["code_insee"] = brut["code_insee"].astype("string")
    out["an"] = annees(brut, "an", path)
    comptes = ["agents_police", "asvp", "gardes_champetres", "mise_en_commun", "population"]
    nombres = en_nombres(brut, comptes, path)
    for c in comptes:
        controler(nombres[c], brut, c, path, entier=True, positif=True, maximum=POPULATION_MAX)
        out[c] = nombres[c].astype("Float64")
    dup = out.duplicated(["code_insee", "an"], keep=False)
    if dup.any():
        ligne = int(out.index[dup.to_numpy()][1])
        raise ErreurDonnees("commune-année en double", fichier=path, ligne=ligne, colonne="ANNEE",
                            valeur=f"{out.at[ligne, 'code_insee']} / {out.at[ligne, 'an']}")
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
    for c in ("habitants", "agents_police", "asvp", "gardes_champetres"):
        x = pd.to_numeric(out[c], errors="coerce")
        mauvais = (x.isna() & out[c].notna()) | ~np.isfinite(x.fillna(0)) | (x < 0)
        if mauvais.any():
            i = int(mauvais.to_numpy().argmax())
            raise ErreurDonnees("nombre positif attendu", fichier=path, ligne=i + 2, colonne=c, valeur=out[c].iloc[i])
    return out


def read_moyennes_strates(path: str | Path) -> pd.DataFrame:
    """Real DGFiP strata means (long format: ``an, strate, regime, code, valeur, unite, precision, source``)."""
    path = Path(path)
    df = _texte(path)
    colonnes = ["an", "strate", "regime", "code", "valeur", "unite", "precision", "source"]
    _exiger(df, colonnes, path)
    an = annees(df, "an", path)
    valeur = en_nombres(df, ["valeur"], path)["valeur"]
    if valeur.isna().any():
        i = valeur.index[valeur.isna().to_numpy()][0]
        raise ErreurDonnees("moyenne de strate manquante", fichier=path, ligne=int(i), colonne="valeur")
    out = df.copy()
    for c in out.columns:
        out[c] = out[c].where(out[c] != "")   # an empty cell is missing, as pandas would read it
    out["an"], out["valeur"] = an, valeur.astype("float64")
    out = out[colonnes + [c for c in out.columns if c not in colonnes]]
    dup = out.duplicated(["an", "strate", "regime", "code"])
    if dup.any():
        raise ErreurDonnees("moyenne de strate en double", fichier=path, ligne=int(out.index[dup.to_numpy()][0]),
                            colonne="code", valeur=out.loc[dup, "code"].iloc[0])
    return out.sort_values(["an", "strate", "regime", "code"]).reset_index(drop=True)


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
    for c in ("siren_epci", "annee"):
        entier = pd.to_numeric(df[c], errors="coerce")
        mauvais = entier.isna() | (entier != entier.round())
        if mauvais.any():
            i = int(mauvais.to_numpy().argmax())
            raise ErreurDonnees("nombre entier attendu", fichier=path, ligne=i + 2, colonne=c, valeur=df[c].iloc[i])
    df["siren"] = df.pop("siren_epci").map(lambda x: f"{int(x):09d}").astype("string")
    df["an"] = df.pop("annee").astype("int64")
    if not (df["siren"] == SIREN_AGGLO).all():
        raise ErreurDonnees("SIREN autre que celui de l'agglomération", fichier=path, colonne="siren_epci")
    return df


def read_communes_geo(path: str | Path):
    """IGN ADMIN EXPRESS COG 2018 communes of the Loiret (GeoJSON, WGS84): ``code_insee``, ``nom``, geometry."""
    import geopandas as gpd  # heavy third-party import, deferred: keeps `import orleans_gov` fast
    path = exiger_fichier(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own errors: report them with the file name
        raise ErreurDonnees(f"GeoJSON illisible : {exc}", fichier=path) from None
    _exiger(gdf, ["code", "nom"], path)
    gdf = gdf.rename(columns={"code": "code_insee"})
    gdf["code_insee"] = gdf["code_insee"].astype("string")
    # GeoJSON features are numbered from 1 in the order of the file ("entité n°")
    vide = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if vide.any():
        i = int(np.flatnonzero(vide)[0])
        raise ErreurDonnees(f"géométrie absente ou vide (entité n° {i + 1} du fichier)", fichier=path, colonne="geometry",
                            valeur=gdf["code_insee"].iloc[i])
    if gdf["code_insee"].isna().any():
        i = int(np.flatnonzero(gdf["code_insee"].isna().to_numpy())[0])
        raise ErreurDonnees(f"code commune absent (entité n° {i + 1} du fichier)", fichier=path, colonne="code")
    dup = gdf["code_insee"].duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ErreurDonnees(f"code commune présent deux fois (entité n° {i + 1} du fichier) : une géométrie par commune",
                            fichier=path, colonne="code", valeur=gdf["code_insee"].iloc[i])
    return gdf[["code_insee", "nom", "geometry"]].sort_values("code_insee").reset_index(drop=True)
