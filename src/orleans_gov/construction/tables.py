"""Build ``data/processed/`` from ``data/raw/`` (``orleans-gov donnees`` / ``make data``) and load tables.

Rules (docs/TABLES.md): real rows win over sample rows for the same entity and year; every table carries
``provenance``; missing stays missing; outputs are byte-identical on rebuild (sorted rows, fixed column
order, Parquet written without timestamps or pandas index).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.csv_officiel import AvertissementColonnes
from orleans_gov.sources.dgfip import read_comptes_communes, read_comptes_gfp, read_fiche_aeff
from orleans_gov.sources.referentiel import (read_communes_geo, read_competences, read_moyennes_strates,
                                  read_ofgl_investissement, read_police_enquete_2023, read_police_municipale)
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO, NOM_COURT_AGGLO, strate_dgfip

TABLES = ("finances_communes", "finances_agglo", "flux_agglo_communes", "depenses_fonction", "populations",
          "territoire", "perimetre", "police_municipale", "moyennes_strates", "competences", "ofgl_agglo",
          "effectifs", "effectifs_totaux", "fonctions_support", "competences_exercees")


def _ecrire(df: pd.DataFrame, path: Path) -> None:
    """Deterministic Parquet: no pandas index, no creation metadata beyond the schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata({k: v for k, v in (table.schema.metadata or {}).items()
                                           if k != b"pandas"})
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd", write_statistics=False)
    os.replace(tmp, path)


def _lire_dossier(dossier: Path, lecteur, **kw) -> list[pd.DataFrame]:
    if not dossier.exists():
        return []
    out = []
    for p in sorted(dossier.glob("*.csv")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AvertissementColonnes)
            out.append(lecteur(p, **kw))
    return out


def _fusion_reel_prioritaire(frames: list[pd.DataFrame], cles: list[str]) -> pd.DataFrame:
    """Concatenate; for duplicated keys keep the real row (then the latest file) and drop the sample one."""
    df = pd.concat(frames, ignore_index=True, sort=False).copy()
    df["_rang"] = (df["provenance"] != "réel").astype(int)
    df = df.sort_values(cles + ["_rang"], kind="mergesort")
    reel_dup = df[df["_rang"] == 0].duplicated(cles)
    if reel_dup.any():
        d = df[df["_rang"] == 0][reel_dup].iloc[0]
        raise ErreurDonnees("deux fichiers réels donnent la même entité et la même année",
                            fichier=d.get("fichier"), colonne=cles[0], valeur=tuple(d[c] for c in cles))
    df = df.drop_duplicates(cles, keep="first").drop(columns="_rang")
    return df.reset_index(drop=True)


def construire_finances_communes(cat: Catalogue) -> pd.DataFrame:
    """Communes' DGFiP accounts: real files in raw/reel/dgfip/communes and the real Orléans sheets win over
    the sample. Keeps only the 22 communes of the perimeter (others are reported, not silently dropped)."""
    frames = _lire_dossier(cat.dgfip_communes_reel, read_comptes_communes, provenance="réel")
    if cat.fiches_aeff_orleans.exists():
        frames.append(read_fiche_aeff(cat.fiches_aeff_orleans))
    frames += _lire_dossier(cat.dgfip_communes_sample, read_comptes_communes, provenance="exemple")
    if not frames:
        raise ErreurDonnees("aucun compte de commune trouvé (ni réel ni exemple) : lancer `orleans-gov echantillon`",
                            fichier=cat.dgfip_communes_sample)
    df = pd.concat(frames, ignore_index=True, sort=False)
    hors = sorted(set(df["code_insee"]) - set(CODES_INSEE))
    if hors:
        warnings.warn(f"{len(hors)} commune(s) hors périmètre ignorée(s) dans les comptes : {', '.join(hors[:10])}")
        df = df[df["code_insee"].isin(CODES_INSEE)]
    df = _fusion_reel_prioritaire([df], ["code_insee", "an"])
    premieres = ["code_insee", "an", "inom", "dep", "icom", "reg", "pop1", "nomsst1", "nomsst2"]
    fin = ["provenance", "fichier"]
    autres = [c for c in df.columns if c not in premieres + fin]
    df = df[[c for c in premieres if c in df.columns] + autres + fin]
    for c in ("code_insee", "inom", "dep", "icom", "reg", "nomsst1", "nomsst2", "provenance", "fichier"):
        if c in df:
            df[c] = df[c].astype("string")
    return df.sort_values(["code_insee", "an"]).reset_index(drop=True)


def construire_finances_agglo(cat: Catalogue) -> pd.DataFrame:
    frames = _lire_dossier(cat.dgfip_gfp_reel, read_comptes_gfp, provenance="réel")
    frames += _lire_dossier(cat.dgfip_gfp_sample, read_comptes_gfp, provenance="exemple")
    if not frames:
        raise ErreurDonnees("aucun compte de l'agglomération trouvé", fichier=cat.dgfip_gfp_sample)
    df = pd.concat(frames, ignore_index=True, sort=False)
    df = df[df["siren"] == SIREN_AGGLO]
    df = _fusion_reel_prioritaire([df], ["siren", "an"])
    for c in ("siren", "lbudg", "provenance", "fichier"):
        df[c] = df[c].astype("string")
    return df.sort_values(["siren", "an"]).reset_index(drop=True)


def _lire_flux(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"code_insee": str})
    for c in ("code_insee", "an", "attribution_compensation", "dsc", "provenance"):
        if c not in df.columns:
            raise ErreurDonnees("colonne obligatoire absente", fichier=path, ligne=1, colonne=c)
    inconnus = ~df["code_insee"].isin(CODES_INSEE)
    if inconnus.any():
        i = int(np.flatnonzero(inconnus)[0])
        raise ErreurDonnees("commune inconnue du périmètre", fichier=path, ligne=i + 2, colonne="code_insee",
                            valeur=df["code_insee"].iloc[i])
    return df


def construire_flux(cat: Catalogue) -> pd.DataFrame:
    """AC and DSC per commune and year (k€). Imported collection workbooks win over the sample."""
    frames = []
    reel = cat.collecte / "flux_agglo_communes.csv"
    if reel.exists():
        frames.append(_lire_flux(reel))
    if cat.flux_sample.exists():
        frames.append(_lire_flux(cat.flux_sample))
    df = _fusion_reel_prioritaire(frames, ["code_insee", "an"])
    df["code_insee"] = df["code_insee"].astype("string")
    df["provenance"] = df["provenance"].astype("string")
    return df[["code_insee", "an", "attribution_compensation", "dsc", "provenance"]].sort_values(
        ["an", "code_insee"]).reset_index(drop=True)


def construire_depenses_fonction(cat: Catalogue) -> pd.DataFrame:
    frames = []
    for p in (cat.collecte / "depenses_fonction.csv", cat.depenses_fonction_sample):
        if p.exists():
            frames.append(pd.read_csv(p, dtype={"entite": str, "fonction": str}))
    df = pd.concat(frames, ignore_index=True)
    cles = ["entite", "an", "fonction", "section"]
    df["_rang"] = (df["provenance"] != "réel").astype(int)
    # real (collected) data replace the sample for a whole entity-year, never a mix of both
    reel_ea = set(map(tuple, df.loc[df["_rang"] == 0, ["entite", "an"]].drop_duplicates().to_numpy()))
    garde = [(r.entite, r.an) not in reel_ea or r._rang == 0 for r in df[["entite", "an", "_rang"]].itertuples()]
    df = df[garde].drop(columns="_rang")
    for c in ("entite", "fonction", "libelle_fonction", "section", "provenance"):
        df[c] = df[c].astype("string")
    return df.sort_values(cles).reset_index(drop=True)


def construire_populations(cat: Catalogue) -> pd.DataFrame:
    from orleans_gov.echantillon.comptes import populations_annuelles
    return populations_annuelles(cat)


def construire_territoire(cat: Catalogue, populations: pd.DataFrame) -> pd.DataFrame:
    """Perimeter × year: 22 communes + the agglomeration with population (its status and source) and the
    DGFiP band. The agglomeration's population is the sum of its communes' (statut « somme des communes »)."""
    rows = []
    for r in populations.itertuples():
        siren, nom = COMMUNES[r.code_insee]
        rows.append({"entite": r.code_insee, "code_insee": r.code_insee, "siren": siren, "nom": nom,
                     "niveau": "commune", "an": r.an, "population": r.population,
                     "statut_population": r.statut, "source_population": r.source,
                     "strate_dgfip": strate_dgfip(r.population)})
    somme = populations.groupby("an").agg(population=("population", "sum"),
                                         n_recensement=("statut", lambda s: int((s == "recensement").sum())))
    for an, r in somme.iterrows():
        rows.append({"entite": SIREN_AGGLO, "code_insee": None, "siren": SIREN_AGGLO, "nom": NOM_COURT_AGGLO,
                     "niveau": "agglomération", "an": int(an), "population": int(r["population"]),
                     "statut_population": "somme des communes",
                     "source_population": f"somme des 22 communes ({r['n_recensement']} chiffres de recensement)",
                     "strate_dgfip": None})
    df = pd.DataFrame(rows)
    for c in ("entite", "code_insee", "siren", "nom", "niveau", "statut_population", "source_population", "strate_dgfip"):
        df[c] = df[c].astype("string")
    return df.sort_values(["an", "entite"]).reset_index(drop=True)


def construire_police(cat: Catalogue) -> pd.DataFrame:
    s = read_police_municipale(cat.police_serie)
    s = s[s["code_insee"].isin(CODES_INSEE)].copy()
    s["entite"] = s["code_insee"]
    s["nom"] = s["code_insee"].map(lambda c: COMMUNES[c][1])
    e = read_police_enquete_2023(cat.police_enquete_2023)
    transp = e[e["libelle"].str.contains("Police intercommunale des transports", na=False)]
    rows = [s[["entite", "nom", "an", "agents_police", "asvp", "gardes_champetres", "population"]]]
    if len(transp):
        t = transp.iloc[0]
        rows.append(pd.DataFrame([{"entite": SIREN_AGGLO, "nom": "Orléans Métropole (police intercommunale des transports)",
                                   "an": 2023, "agents_police": float(t["agents_police"]), "asvp": float(t["asvp"]),
                                   "gardes_champetres": float(t["gardes_champetres"]),
                                   "population": float(t["habitants"])}]))
    df = pd.concat(rows, ignore_index=True)
    for c in ("agents_police", "asvp", "gardes_champetres", "population"):
        df[c] = df[c].astype("float64")
    df["entite"] = df["entite"].astype("string")
    df["nom"] = df["nom"].astype("string")
    df["provenance"] = pd.Series("réel", index=df.index, dtype="string")
    df["source"] = pd.Series("Ministère de l'Intérieur, enquête « Police municipale : effectifs par commune » (décembre)",
                             index=df.index, dtype="string")
    return df.sort_values(["entite", "an"]).reset_index(drop=True)


def construire_perimetre(cat: Catalogue):
    gdf = read_communes_geo(cat.communes_geojson)
    gdf = gdf[gdf["code_insee"].isin(CODES_INSEE)].copy()
    manquantes = sorted(set(CODES_INSEE) - set(gdf["code_insee"]))
    if manquantes:
        raise ErreurDonnees("communes du périmètre absentes de la carte", fichier=cat.communes_geojson,
                            colonne="code", valeur=", ".join(manquantes))
    gdf["nom"] = gdf["code_insee"].map(lambda c: COMMUNES[c][1]).astype("string")
    gdf["siren"] = gdf["code_insee"].map(lambda c: COMMUNES[c][0]).astype("string")
    return gdf[["code_insee", "nom", "siren", "geometry"]].sort_values("code_insee").reset_index(drop=True)


def _construire_collecte(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """Tables from the collection workbooks (issue 4), when that module is present."""
    try:
        from orleans_gov.construction.collecte import construire_tables_collecte  # type: ignore
    except ImportError:
        return {}
    return construire_tables_collecte(cat)


def construire(dossier=None, *, verbeux: bool = False) -> dict[str, Path]:
    """Rebuild every processed table; generate the sample first when it is absent. Returns written paths."""
    cat = Catalogue.depuis(dossier)
    if not cat.dgfip_communes_sample.exists():
        from orleans_gov.echantillon.comptes import generer
        generer(dossier)
    pops = construire_populations(cat)
    tables = {
        "finances_communes": construire_finances_communes(cat),
        "finances_agglo": construire_finances_agglo(cat),
        "populations": pops,
        "territoire": construire_territoire(cat, pops),
        "police_municipale": construire_police(cat),
        "moyennes_strates": read_moyennes_strates(cat.moyennes_strate).assign(provenance="réel"),
        "competences": read_competences(cat.competences).assign(provenance="réel"),
        "ofgl_agglo": read_ofgl_investissement(cat.ofgl_investissement).assign(provenance="réel"),
    }
    collecte = _construire_collecte(cat)
    # the collection workbooks (when that module is present) provide the flows and spending by function;
    # otherwise they come straight from the sample CSVs, with the same layout
    if "flux_agglo_communes" not in collecte:
        collecte["flux_agglo_communes"] = construire_flux(cat)
    if "depenses_fonction" not in collecte:
        collecte["depenses_fonction"] = construire_depenses_fonction(cat)
    tables.update(collecte)
    ecrits = {}
    for nom, df in tables.items():
        p = cat.table(nom)
        _ecrire(df, p)
        ecrits[nom] = p
        if verbeux:
            print(f"  {nom:<22} {len(df):>6} lignes  → {p}")
    gdf = construire_perimetre(cat)
    p = cat.table("perimetre")
    tmp = p.with_suffix(".parquet.tmp")
    gdf.to_parquet(tmp, index=False, compression="zstd")
    os.replace(tmp, p)
    ecrits["perimetre"] = p
    return ecrits


def charger(nom: str, dossier=None) -> pd.DataFrame:
    """Load a processed table by name (GeoDataFrame for ``perimetre``); builds the data if it is missing."""
    cat = Catalogue.depuis(dossier)
    p = cat.table(nom)
    if not p.exists():
        construire(dossier)
        if not p.exists():
            raise ErreurDonnees(f"table « {nom} » inconnue (tables : {', '.join(TABLES)})", fichier=p)
    if nom == "perimetre":
        import geopandas as gpd
        return gpd.read_parquet(p)
    return pd.read_parquet(p)


def contient_exemple(*frames: pd.DataFrame) -> bool:
    """True when any given table holds sample rows (the banner must then be shown)."""
    return any("provenance" in f.columns and (f["provenance"] == "exemple").any() for f in frames)
