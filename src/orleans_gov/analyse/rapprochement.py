"""Published figures next to the value our data give for the same entity, year and definition.

For each published figure (table ``chiffres_publies``) the mapping (``config/rapprochement/indicateurs.yaml``) says
whether it is comparable and how our value is computed (:func:`valeur_donnees`):

- ``communes``: a column of ``finances_communes`` (DGFiP « comptes individuels des communes », budget principal:
  ``perso`` charges de personnel, ``dette`` encours au 31/12, ``equip`` dépenses d'équipement, ``caf`` CAF brute,
  ``fX`` €/hab on ``pop1``, ``mX`` strata mean), or a ratio of two (capacité de désendettement = encours / CAF brute,
  in years; share = 100 × numerator / denominator);
- ``agglo``: a ``*tot`` column of ``finances_agglo`` (DGFiP « comptes des groupements », budget principal + budgets
  annexes: ``entot`` encours, ``caftot`` CAF brute, ``cafntot`` CAF nette = épargne nette, ``eitot`` dépenses
  réelles d'investissement);
- ``principal``: the agglomeration's budget principal, total − Σ budgets annexes of ``budgets_annexes`` (``annexe``:
  the column of that table), or total × (1 − DGFiP share of the annexes ``rXXXtot`` / 100) (``part_annexes``);
- ``annexe``: a column of ``budgets_annexes`` for one budget;
- ``flux``: ``flux_agglo_communes`` for the commune, or Σ over the 22 communes for the agglomeration.

Gap: ``ecart_pct = 100 × (ours − published) / published``; ``concorde`` when |gap| ≤ :data:`SEUIL_PCT`. A figure is
comparable when the mapping says so **and** our data cover its year; otherwise ``raison`` says why (context).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO

SEUIL_PCT = 10.0
COLONNES = ["entite", "nom", "an", "indicateur", "valeur_publiee", "unite", "base", "perimetre", "comparable",
            "valeur_donnees", "ecart_pct", "concorde", "provenance_donnees", "raison", "source_titre", "source_url"]


def _liste(x) -> list[str]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _ligne(df: pd.DataFrame, cle: str, entite: str, an: int) -> pd.Series | None:
    sel = df[(df[cle] == entite) & (df["an"] == an)]
    return None if sel.empty else sel.iloc[0]


def valeur_donnees(mesure: dict, entite: str, an: int, donnees: dict[str, pd.DataFrame]) -> tuple[float, str] | None:
    """Our value of ``mesure`` for (entite, an) and the provenance of the rows used (``réel`` / ``exemple``), or
    ``None`` when our data do not cover that year. ``donnees``: ``communes``, ``agglo``, ``annexes``, ``flux``."""
    src, num = mesure["source"], _liste(mesure["numerateur"])
    ech = float(mesure.get("echelle", 1.0))
    den = mesure.get("denominateur")
    if src == "communes" or src == "agglo" or src == "principal":
        t, cle = (donnees["communes"], "code_insee") if src == "communes" else (donnees["agglo"], "siren")
        r = _ligne(t, cle, entite, an)
        if r is None:
            return None
        prov = {str(r["provenance"])}
        v = sum(float(r[c]) for c in num)
        if src == "principal":
            if "part_annexes" in mesure:
                v *= 1 - float(r[mesure["part_annexes"]]) / 100
            else:
                a = donnees["annexes"]
                a = a[(a["entite"] == entite) & (a["an"] == an)]
                if a.empty:
                    return None
                v -= float(a[mesure["annexe"]].sum())
                prov |= set(a["provenance"].astype(str))
        if den is not None:
            v = v / float(r[den])
    elif src == "annexe":
        a = donnees["annexes"]
        a = a[(a["entite"] == entite) & (a["an"] == an) & (a["budget"] == mesure["budget"])]
        if a.empty:
            return None
        v, prov = sum(float(a.iloc[0][c]) for c in num), set(a["provenance"].astype(str))
    elif src == "flux":
        f = donnees["flux"]
        f = f[f["an"] == an] if entite == SIREN_AGGLO else f[(f["an"] == an) & (f["code_insee"] == entite)]
        if f.empty:
            return None
        v, prov = float(f[num].to_numpy(dtype="float64").sum()), set(f["provenance"].astype(str))
    else:
        raise ErreurDonnees(f"source de mesure inconnue : {src}")
    return v * ech, ("exemple" if "exemple" in prov else "réel")


def rapprocher(publies: pd.DataFrame, correspondances: list[dict], donnees: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per published figure: published value, our value, gap (%), whether it is comparable and agrees.
    Every published (indicator, entity) must be in the mapping (:class:`ErreurDonnees` otherwise)."""
    carte = {(e["indicateur"], ent): e for e in correspondances for ent in e["entites"]}
    lignes = []
    for p in publies.itertuples(index=False):
        e = carte.get((p.indicateur, p.entite))
        if e is None:
            raise ErreurDonnees(f"chiffre publié sans correspondance : indicateur « {p.indicateur} », entité "
                                f"{p.entite} (à décrire dans config/rapprochement/indicateurs.yaml)")
        ligne = dict(entite=p.entite, nom=p.nom, an=p.an, indicateur=p.indicateur, valeur_publiee=p.valeur,
                     unite=p.unite, base=p.base, perimetre=e["perimetre"], comparable=False,
                     valeur_donnees=np.nan, ecart_pct=np.nan, concorde=pd.NA, provenance_donnees=pd.NA,
                     raison=e.get("raison") or "", source_titre=p.source_titre, source_url=p.source_url)
        if e["comparable"]:
            res = valeur_donnees(e["mesure"], p.entite, p.an, donnees)
            if res is None:
                ligne["raison"] = "année hors des données du projet"
            elif not np.isfinite(res[0]):
                ligne["raison"] = "valeur manquante dans nos données pour cette année"
            else:
                v, prov = res
                ecart = 100 * (v - p.valeur) / p.valeur if p.valeur else np.nan
                ligne.update(comparable=True, valeur_donnees=v, ecart_pct=ecart, provenance_donnees=prov,
                             concorde=bool(abs(ecart) <= SEUIL_PCT), raison=e.get("note") or "")
        lignes.append(ligne)
    df = pd.DataFrame(lignes, columns=COLONNES)
    df["concorde"] = df["concorde"].astype("boolean")
    for c in ("entite", "nom", "indicateur", "unite", "base", "perimetre", "provenance_donnees", "raison",
              "source_titre", "source_url"):
        df[c] = df[c].astype("string")
    return df.sort_values(["entite", "an", "indicateur", "base"], kind="stable").reset_index(drop=True)


def synthese(rapp: pd.DataFrame) -> dict[str, int]:
    """Counts: figures, comparable ones, those that agree within ±10 %."""
    comp = rapp[rapp["comparable"]]
    return {"chiffres": len(rapp), "comparables": len(comp), "concordants": int(comp["concorde"].sum())}
