"""Pacte financier et fiscal as scenario actions: free revision of the AC (art. 1609 nonies C V 1° bis CGI), DSC
by criteria (art. 1609 nonies C VI CGI) and the FPIC split (art. L.2336-3 and L.2336-5 CGCT). The law's
computation: :mod:`orleans_gov.scenarios.gouvernance` (attributions, dsc, fpic); here the criteria from the
reference state and the effects on the projection."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, nom_entite
from orleans_gov.scenarios.actions.commun import Contexte, Effets
from orleans_gov.scenarios.actions.indicateurs import poser
from orleans_gov.scenarios.etat import E, IA, Base
from orleans_gov.scenarios.gouvernance import (conditions_fpic, conditions_revision_libre, repartition_dsc,
                                               repartition_fpic, revision_libre_ac)
from orleans_gov.scenarios.schema import DscCriteres, FpicRepartition, RevisionAttributions

INDEX = pd.Index(list(CODES_INSEE), name="code_insee")


def populations_dgf(base: Base) -> pd.Series:
    """Population of each commune in the reference year (DGFiP ``pop1``, the population the accounts carry; used
    as the population DGF of art. L.2334-2 CGCT, which adds one inhabitant per secondary residence: a proxy)."""
    return pd.Series(base.population[:IA], index=INDEX)


def valeurs_criteres(base: Base, noms, centralite: Mapping[str, float] | None = None) -> dict[str, pd.Series | None]:
    """Values per commune of each criterion named (natures: :mod:`orleans_gov.scenarios.gouvernance.pacte`):

    - ``population``: ``None`` (the criterion reads the populations);
    - ``potentiel_financier``, ``insuffisance_potentiel_financier``: impôts locaux per inhabitant (DGFiP ``impo1 /
      pop1``), the PROXY of the potentiel financier par habitant (art. L.2334-4 CGCT: the national average rates
      applied to the bases, plus the DGF forfaitaire — not in the accounts used);
    - ``revenu``, ``ecart_revenu``: bases nettes de taxe d'habitation per inhabitant (``bth / pop1``), the PROXY of
      the revenu par habitant (no income data in the perimeter's tables);
    - ``charges_centralite``: the amounts of the scenario file (k€).
    """
    pops = populations_dgf(base)
    out: dict[str, pd.Series | None] = {}
    for n in noms:
        if n == "population":
            out[n] = None
        elif n in ("potentiel_financier", "insuffisance_potentiel_financier"):
            out[n] = pd.Series(base.fiscalite[:IA], index=INDEX) / pops
        elif n in ("revenu", "ecart_revenu"):
            bth = pd.Series(base.bases_th[:IA], index=INDEX)
            if bth.isna().any():
                raise ErreurDonnees(f"critère « {n} » : bases de taxe d'habitation manquantes pour "
                                    f"{list(bth.index[bth.isna()])} en {base.annee}", fichier="finances_communes",
                                    colonne="bth")
            out[n] = bth / pops
        else:
            out[n] = pd.Series({c: float((centralite or {}).get(c, 0.0)) for c in CODES_INSEE}, index=INDEX)
    return out


def _table(t: pd.DataFrame, k: int, annee: int) -> pd.DataFrame:
    d = t.reindex(INDEX).rename_axis("entite").reset_index()
    d.insert(1, "commune", [nom_entite(c) for c in d["entite"]])
    return d.assign(action=k, annee=annee)


def appliquer_revision_attributions(eff: Effets, action: RevisionAttributions, k: int, ctx: Contexte) -> None:
    """Révision libre des attributions de compensation (art. 1609 nonies C V 1° bis CGI): from the date, each
    commune's AC moves by Δ_c (:func:`~orleans_gov.scenarios.gouvernance.revision_libre_ac`, criteria of the
    scenario), the agglomeration's AC by −Σ Δ_c; the conditions in force at the date (majorities) go into the
    details."""
    base = ctx.base
    ac = pd.Series(base.ac[:IA], index=INDEX)
    crit = valeurs_criteres(base, action.criteres, action.charges_centralite)
    r = revision_libre_ac(ac, crit, dict(action.criteres), action.montant_keur, action.date,
                          populations=populations_dgf(base), mode=action.mode)
    delta = r.table["montant_deplace"].reindex(INDEX).to_numpy()
    apres = ctx.annees >= action.annee
    eff.ac[:IA, apres] += delta[:, None]
    eff.ac[IA, apres] -= delta.sum()
    cond = conditions_revision_libre(action.date)
    eff.details[f"actions[{k}] révision des attributions de compensation"] = _table(r.table, k, action.annee).assign(
        majorite_conseil=cond.regime.conseil, conseils_municipaux=cond.regime.communes or "",
        conditions=cond.regime.reference)


def appliquer_dsc_criteres(eff: Effets, action: DscCriteres, k: int, ctx: Contexte) -> None:
    """Dotation de solidarité communautaire by criteria (art. 1609 nonies C VI CGI as in force at the date,
    :func:`~orleans_gov.scenarios.gouvernance.repartition_dsc`): from the date the envelope (indexed yearly)
    replaces the DSC; each commune receives its share, the agglomeration pays the total; the legal controls (the
    priority criteria, the contrat-de-ville rules of the loi n° 2014-173) go into the details."""
    base = ctx.base
    crit = valeurs_criteres(base, action.criteres, action.charges_centralite)
    r = repartition_dsc(action.enveloppe_keur, populations_dgf(base), crit, dict(action.criteres), action.date,
                        contrat_de_ville=action.contrat_de_ville)
    parts = r.table["part"].reindex(INDEX).to_numpy()
    annees = ctx.annees
    montant = action.enveloppe_keur * (1 + action.indexation) ** np.clip(annees - action.annee, 0, None)
    apres = annees >= action.annee
    eff.dsc[:IA, apres] = (parts[:, None] * montant[None, :])[:, apres]
    eff.dsc[IA] = -eff.dsc[:IA].sum(axis=0)
    eff.details[f"actions[{k}] DSC par critères"] = _table(r.table, k, action.annee).assign(
        conforme=r.conforme, dsc_reference=base.dsc[:IA], majorite=r.regle.majorite, conditions=r.regle.reference)
    eff.details[f"actions[{k}] DSC : contrôles"] = r.controles.assign(action=k)


def appliquer_fpic_repartition(eff: Effets, action: FpicRepartition, k: int, ctx: Contexte) -> None:
    """FPIC of the ensemble intercommunal (art. L.2336-3 prélèvement, L.2336-5 reversement CGCT): each year's
    amount of the file split between the agglomeration (CIF of the reference year in the droit commun) and the
    communes (:func:`~orleans_gov.scenarios.gouvernance.repartition_fpic`, potentiel financier par habitant and
    population); a prélèvement adds to the charges (``autres_charges``), a reversement to the receipts
    (``autres_recettes``). Indicator ``fpic``: + received, − paid (k€); the split's violations of the legal limits
    refuse the scenario."""
    base = ctx.base
    pops = populations_dgf(base)
    pf = valeurs_criteres(base, ["potentiel_financier"])["potentiel_financier"]
    crit = valeurs_criteres(base, action.criteres) if action.criteres else None
    v = np.full((E, len(ctx.toutes)), np.nan)
    lignes = []
    for annee, montant in sorted(action.montants_keur.items()):
        if annee not in ctx.toutes:
            continue
        r = repartition_fpic(montant, f"{annee}-01-01", sens=action.sens, cif=float(base.cif), populations_dgf=pops,
                             potentiel_financier_hab=pf, mode=action.mode, part_epci=action.part_epci,
                             criteres=crit if action.mode != "droit_commun" else None,
                             poids=dict(action.criteres) if crit else None)
        if action.mode != "droit_commun" and not r.conforme:
            raise ErreurDonnees(f"répartition du FPIC {annee} hors des limites légales : {', '.join(r.violations)}",
                                colonne="fpic_repartition")
        t = ctx.toutes.index(annee)
        signe = -1.0 if action.sens == "prelevement" else 1.0
        v[:IA, t] = signe * r.communes["montant"].reindex(INDEX).to_numpy()
        v[IA, t] = signe * r.epci
        cible = eff.abs_charges if action.sens == "prelevement" else eff.abs_recettes
        cible[:, t] += np.abs(v[:, t])
        lignes.append(_table(r.communes, k, annee).assign(part_epci=r.epci, conforme=r.conforme))
    poser(eff, "fpic", v, ~np.isnan(v).all(axis=0))
    cond = conditions_fpic(action.mode, action.date)
    eff.details[f"actions[{k}] FPIC"] = pd.concat(lignes, ignore_index=True).assign(
        majorites=" ou ".join(" + ".join(a) for a in cond.alternatives), conditions=cond.reference)
