"""Révision libre des attributions de compensation (AC) — art. 1609 nonies C V CGI, as in force at the date.

Rules (:data:`REGIMES`, :func:`conditions_revision_libre`):

- until 30 December 2014, V 1° bis (text read, etalab commit febd501): « Le montant de l'attribution de compensation
  et les conditions de sa révision peuvent être fixés librement par le conseil communautaire statuant à l'unanimité,
  en tenant compte du rapport de la commission locale d'évaluation des transferts de charges » → unanimity of the
  council (rule ``"unanimite_conseil"`` of :mod:`.majorites`).
- from 31 December 2014 (loi n° 2014-1655 du 29 décembre 2014 de finances rectificative pour 2014, art. 34, JO du
  30 December; amendment Rabault, seban-associes.avocat.fr 12/02/2015): « délibérations concordantes du conseil
  communautaire, statuant à la majorité des deux tiers, et des conseils municipaux des communes membres » → two
  thirds of the council and every municipal council (each by simple majority: exfilo.fr).
- from 31 December 2015 (loi n° 2015-1785 du 29 décembre 2015 de finances pour 2016, art. 163, JO du 30 December;
  svp.com 01/02/2016): « … et des conseils municipaux des communes membres intéressées » → two thirds of the council
  and the councils of the communes whose AC changes (reading of « intéressées », default; ``interessees`` overrides).
  The LFI 2017 changes (CLECT report within nine months, five-yearly report) are not modelled.
- at every date, V 1° al. 4: « Le conseil de l'établissement public de coopération intercommunale ne peut procéder à
  une réduction des attributions de compensation qu'après accord des conseils municipaux des communes intéressées »
  (reading ``reduction_accord_communes=True``: this also binds a free revision).
- V 7° (dérogatoire, EPCI under 1609 nonies C on 1 January 2010): « par délibérations concordantes prises à la
  majorité qualifiée prévue au premier alinéa du II de l'article L. 5211-5 […], à la révision dans les mêmes
  proportions du montant de l'attribution de compensation de l'ensemble des communes membres » ; « Cette révision
  dérogatoire […] peut réduire les attributions de compensation d'une partie des communes membres lorsque les
  communes concernées disposent d'un potentiel financier par habitant supérieur de plus de 20 % au potentiel financier
  par habitant moyen des communes du groupement. Cette réduction […] ne peut excéder 5 % de leur montant » (text read,
  commit febd501) → :func:`verifier_revision_derogatoire`; thresholds in ``pacte.yaml``
  (``attributions_compensation.revision_derogatoire_v7.*``). Readings: the two forms are alternatives (a revision is
  either the same proportion for all, or reductions of eligible communes only); the mean PF per inhabitant is
  Σ PF / Σ population (``moyenne="ponderee"``) or the mean of the communes' values (``"arithmetique"``); the
  councils vote explicitly (no « silence vaut accord », which L5211-5 II gives only for the creation procedure).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.pacte import (controle, majorite_simple, parts_ponderees, proche,
                                                     reference_parametre, serie, tableau_controles, valeur_parametre,
                                                     violations, vote, votes_explicites)

MODES = ("redistribution", "reduction_uniforme", "majoration", "reduction")
V7 = "attributions_compensation.revision_derogatoire_v7."
REFERENCE_REDUCTION = ("CGI art. 1609 nonies C V 1° al. 4 : réduction « qu'après accord des conseils municipaux des "
                       "communes intéressées »")
REFERENCE_V7 = "CGI art. 1609 nonies C V 7° (majorité qualifiée de l'art. L5211-5 II CGCT)"


@dataclass(frozen=True)
class RegimeRevision:
    """A version of the free-revision rule: the council's majority (a rule of :mod:`.majorites`) and which
    municipal councils must agree (``None``, ``"toutes"``, ``"interessees"``)."""

    debut: _dt.date
    reference: str
    conseil: str
    communes: str | None


REGIMES: tuple[RegimeRevision, ...] = (
    RegimeRevision(_dt.date(1999, 7, 13), "CGI art. 1609 nonies C V 1° bis : « par le conseil communautaire statuant "
                   "à l'unanimité, en tenant compte du rapport de la commission locale d'évaluation des transferts de "
                   "charges » (texte lu, etalab febd501 ; date de création du 1° bis non vérifiée)",
                   "unanimite_conseil", None),
    RegimeRevision(_dt.date(2014, 12, 31), "CGI art. 1609 nonies C V 1° bis, rédaction de la loi n° 2014-1655 du "
                   "29 décembre 2014, art. 34 : deux tiers du conseil communautaire et conseils municipaux des "
                   "communes membres", "deux_tiers_conseil", "toutes"),
    RegimeRevision(_dt.date(2015, 12, 31), "CGI art. 1609 nonies C V 1° bis, rédaction de la loi n° 2015-1785 du "
                   "29 décembre 2015, art. 163 : deux tiers du conseil communautaire et conseils municipaux des "
                   "communes membres intéressées", "deux_tiers_conseil", "interessees"),
)


@dataclass(frozen=True)
class ConditionsRevision:
    """What a free revision needs at ``date`` (``regime``), the CLECT report, and the V 7° dérogatoire limits
    (``seuil_v7``: excess of PF per inhabitant over the mean; ``reduction_max_v7``; ``None`` when not in force)."""

    date: _dt.date
    regime: RegimeRevision
    rapport_clect_requis: bool
    reference_reduction: str
    seuil_v7: float | None
    reduction_max_v7: float | None
    reference_v7: str


def conditions_revision_libre(date: Any, *, parametres_: Parametres | None = None) -> ConditionsRevision:
    """The majority and conditions of a free revision of the AC at ``date`` (see the module docstring)."""
    d = date_effet(date)
    par = parametres_ or parametres()
    regime = None
    for r in REGIMES:
        if r.debut <= d:
            regime = r
    if regime is None:
        raise KeyError(f"révision libre des attributions de compensation : pas de règle au {d.isoformat()}")
    seuil = valeur_parametre(par, V7 + "seuil_ecart_potentiel_financier", d)
    reference = reference_parametre(par, V7 + "reduction_maximale", d) if seuil is not None else REFERENCE_V7
    return ConditionsRevision(d, regime, True, REFERENCE_REDUCTION, seuil,
                              valeur_parametre(par, V7 + "reduction_maximale", d), reference)


@dataclass(frozen=True)
class RevisionAC:
    """Per commune: ``ac_avant``, the criteria shares, ``part``, ``montant_deplace`` (Δ, + = the commune receives
    more), ``ac_apres``, ``variation_relative`` (Δ / |AC before|, NaN when the AC is 0), ``interessee`` (Δ ≠ 0);
    ``effet_epci`` = −Σ Δ (the AC are an expense of the EPCI)."""

    table: pd.DataFrame
    mode: str
    montant: float
    effet_epci: float
    conditions: ConditionsRevision


def revision_libre_ac(ac: pd.Series, criteres: Mapping[str, pd.Series | None], poids: Mapping[str, float],
                      montant: float, date: Any, *, populations: pd.Series, mode: str = "redistribution",
                      natures: Mapping[str, str] | None = None, parametres_: Parametres | None = None) -> RevisionAC:
    """A free revision of the AC (art. 1609 nonies C V 1° bis CGI) moving ``montant`` (≥ 0) by the scenario's
    criteria (:func:`.pacte.parts_ponderees`: shares s_c; e.g. ``population``, ``potentiel_financier`` for the
    richer communes, ``insuffisance_potentiel_financier``, ``revenu``, a free ``charges_centralite``).

    Modes: ``"redistribution"`` (zero sum: ``montant`` is withdrawn in proportion to the AC and given back by the
    criteria, Δ_c = montant × (s_c − AC_c / Σ AC)); ``"reduction_uniforme"`` (Δ_c = −montant × AC_c / Σ AC, same
    proportion for all, criteria unused: pass ``{}``); ``"majoration"`` (Δ_c = montant × s_c, paid by the EPCI);
    ``"reduction"`` (Δ_c = −montant × s_c, kept by the EPCI). Withdrawing in proportion to the AC needs AC ≥ 0.
    """
    if mode not in MODES:
        raise ValueError(f"mode de révision inconnu : « {mode} » (attendu : {', '.join(MODES)})")
    if montant < 0:
        raise ValueError(f"montant déplacé négatif : {montant!r} (choisir le mode « reduction »)")
    ac = serie("attributions de compensation", ac, signe_libre=True)
    pops = serie("populations", populations, ac.index, strictement_positive=True)
    t = pd.DataFrame({"ac_avant": ac})
    if mode == "reduction_uniforme" and not criteres:
        t["part"] = np.nan
    else:
        t = t.join(parts_ponderees(criteres, poids, pops, natures=natures))
    if mode in ("redistribution", "reduction_uniforme"):
        if (ac < 0).any() or ac.sum() <= 0:
            raise ValueError(f"mode « {mode} » : attributions de compensation positives requises "
                             f"(négatives : {sorted(map(str, ac.index[ac < 0]))})")
        prorata = ac / ac.sum()
        delta = montant * (t["part"] - prorata) if mode == "redistribution" else -montant * prorata
    else:
        delta = (1 if mode == "majoration" else -1) * montant * t["part"]
    t["montant_deplace"] = delta
    t["ac_apres"] = ac + delta
    t["variation_relative"] = delta / ac.abs().replace(0, np.nan)
    t["interessee"] = ~np.isclose(delta, 0, rtol=0, atol=1e-9)
    return RevisionAC(t, mode, float(montant), float(-delta.sum()), conditions_revision_libre(date,
                                                                                               parametres_=parametres_))


@dataclass(frozen=True)
class VerificationRevision:
    """``adoptee``: every control met; ``controles`` (rows per condition); ``interessees``: communes whose AC
    changes; ``regime``: the rule in force."""

    adoptee: bool
    controles: pd.DataFrame
    interessees: list
    regime: RegimeRevision


def _interessees(ac_avant: pd.Series, ac_apres: pd.Series) -> tuple[pd.Series, pd.Series, list]:
    avant = serie("attributions avant révision", ac_avant, signe_libre=True)
    apres = serie("attributions après révision", ac_apres, avant.index, signe_libre=True)
    return avant, apres, [c for c in avant.index if not proche(avant[c], apres[c], avant[c])]


def verifier_revision_libre(ac_avant: pd.Series, ac_apres: pd.Series, date: Any, *,
                            votes_conseil: Mapping[Any, Any], sieges: pd.Series,
                            votes_communes: Mapping[Any, Any], populations: pd.Series, rapport_clect: bool = True,
                            interessees: list | None = None, reduction_accord_communes: bool = True,
                            parametres_: Parametres | None = None) -> VerificationRevision:
    """Whether a free revision ``ac_avant`` → ``ac_apres`` is adopted at ``date`` (module docstring).

    ``votes_conseil``: per commune, its delegation's vote (``True``/``False`` or the number of favourable seats);
    ``votes_communes``: each municipal council's vote (``True``/``False``; ``None``/absent = no deliberation, not an
    agreement). ``interessees`` overrides the communes « intéressées » (default: those whose AC changes).
    """
    cond = conditions_revision_libre(date, parametres_=parametres_)
    reg = cond.regime
    pops = serie("populations", populations, strictement_positive=True)
    avant, apres, changees = _interessees(ac_avant, ac_apres)
    inter = list(interessees) if interessees is not None else changees
    lignes = [controle("rapport_clect", bool(rapport_clect), reg.reference)]
    r = vote(reg.conseil, votes_conseil, pops, cond.date, sieges=sieges)
    b = r.branches.iloc[0]
    lignes.append(controle(f"conseil_{reg.conseil}", r.adoptee, r.reference, int(b["sieges_pour"]),
                           int(b["sieges_requis"])))
    explicites = votes_explicites(votes_communes, pops.index)
    if reg.communes is not None:
        concernees = list(pops.index) if reg.communes == "toutes" else inter
        pour = [c for c in concernees if explicites[c]]
        lignes.append(controle(f"conseils_municipaux_{reg.communes}", len(pour) == len(concernees), reg.reference,
                               len(pour), len(concernees)))
    if reduction_accord_communes:
        reduites = [c for c in changees if apres[c] < avant[c]]
        contre = [c for c in reduites if not explicites[c]]
        lignes.append(controle("reduction_accord_communes_interessees", not contre, REFERENCE_REDUCTION,
                               len(reduites) - len(contre), len(reduites)))
    t = tableau_controles(lignes)
    return VerificationRevision(not violations(t), t, inter, reg)


def verifier_revision_derogatoire(ac_avant: pd.Series, ac_apres: pd.Series, date: Any, *,
                                  potentiel_financier_hab: pd.Series, populations: pd.Series,
                                  votes_communes: Mapping[Any, Any], votes_conseil: Mapping[Any, Any] | None = None,
                                  sieges: pd.Series | None = None, moyenne: str = "ponderee",
                                  parametres_: Parametres | None = None) -> VerificationRevision:
    """Whether a revision is a valid dérogatoire revision of art. 1609 nonies C V 7° CGI at ``date``.

    Controls: ``v7_en_vigueur``; ``memes_proportions`` (Δ_c / AC_c equal for all) or, else, per commune changed,
    ``eligibilite[c]`` (PF/hab_c > (1 + seuil) × mean) and ``reduction_maximale[c]`` (reduction ≤ 5 % of the AC, no
    increase); ``majorite_qualifiee_l5211_5`` (councils, explicit votes); ``conseil_majorite_simple`` when the
    council's votes are given (the text fixes no majority for the council: simple majority, reading).
    """
    if moyenne not in ("ponderee", "arithmetique"):
        raise ValueError(f"lecture de la moyenne inconnue : « {moyenne} »")
    cond = conditions_revision_libre(date, parametres_=parametres_)
    pops = serie("populations", populations, strictement_positive=True)
    avant, apres, changees = _interessees(ac_avant, ac_apres)
    lignes = [controle("v7_en_vigueur", cond.seuil_v7 is not None, cond.reference_v7)]
    if cond.seuil_v7 is None:
        t = tableau_controles(lignes)
        return VerificationRevision(False, t, changees, cond.regime)
    pf = serie("potentiel financier par habitant", potentiel_financier_hab, pops.index, strictement_positive=True)
    pf_moyen = float((pf * pops).sum() / pops.sum()) if moyenne == "ponderee" else float(pf.mean())
    ratios = {c: (apres[c] - avant[c]) / avant[c] for c in changees if avant[c] != 0}
    uniforme = len(changees) == len(avant) and len(ratios) == len(changees) and \
        all(proche(x, next(iter(ratios.values()))) for x in ratios.values())
    lignes.append(controle("memes_proportions", uniforme or None, cond.reference_v7))
    if not uniforme:
        seuil = (1 + cond.seuil_v7) * pf_moyen
        for c in changees:
            lignes.append(controle(f"eligibilite[{c}]", bool(pf[c] > seuil), cond.reference_v7, float(pf[c]), seuil))
            baisse = (avant[c] - apres[c]) / abs(avant[c]) if avant[c] != 0 else np.inf
            ok = apres[c] < avant[c] and baisse <= cond.reduction_max_v7 + 1e-12
            lignes.append(controle(f"reduction_maximale[{c}]", bool(ok), cond.reference_v7, float(baisse),
                                   cond.reduction_max_v7))
    explicites = votes_explicites(votes_communes, pops.index)
    r = vote("transfert_competence", explicites, pops, cond.date)
    lignes.append(controle("majorite_qualifiee_l5211_5", r.adoptee, REFERENCE_V7,
                           int(r.branches["conseils_pour"].iloc[0]), None))
    if votes_conseil is not None:
        if sieges is None:
            raise ValueError("votes du conseil : les sièges de chaque commune sont requis")
        ok, pour, votants = majorite_simple(votes_conseil, sieges)
        lignes.append(controle("conseil_majorite_simple", ok, REFERENCE_V7, pour, votants))
    t = tableau_controles(lignes)
    return VerificationRevision(not violations(t), t, changees, cond.regime)
