"""Schéma de mutualisation des services (art. L5211-39-1 CGCT): several services communs at once (art. L5211-4-2),
their cost keys and financing, the staff transferred, the régime indemnitaire alignment, the economies phased in, the
effect per commune, and the coefficient de mutualisation (art. L5211-4-1 V).

Texts:

- L5211-39-1 (created by loi n° 2010-1563, art. 67; text read): « dans l'année qui suit chaque renouvellement général
  des conseils municipaux, le président de l'[EPCI] établit un rapport relatif aux mutualisations de services […]. Ce
  rapport comporte un projet de schéma de mutualisation des services à mettre en œuvre pendant la durée du mandat. Le
  projet de schéma prévoit notamment l'impact prévisionnel de la mutualisation sur les effectifs […] et sur leurs
  dépenses de fonctionnement » ; each municipal council gives its opinion within three months (silence = favourable);
  the council approves the schéma. Calendar of the first schémas (:func:`echeances_schema`, parameters
  ``schema_mutualisation.*``): « dans l'année qui suit » the March 2014 renewal, read as twelve months or, as the
  Government did, the following calendar year (31 December 2015); loi NOTRe (7 August 2015): transmission by
  1 October 2015, approval before 31 December 2015; optional from loi n° 2019-1461 (not verified).
- L5211-4-2 (RCT; current wording read): « En dehors des compétences transférées, un [EPCI] à fiscalité propre, une ou
  plusieurs de ses communes membres […] peuvent se doter de services communs » ; « Les effets de ces mises en commun
  sont réglés par convention » ; under art. 1609 nonies C CGI « ces effets peuvent également être pris en compte par
  imputation sur l'attribution de compensation » (:func:`orleans_gov.scenarios.clect.imputation_service_commun`),
  otherwise the convention's refacturation. The cost key is split by
  :func:`orleans_gov.scenarios.clect.repartition_cle`.
- staff: « Les fonctionnaires et agents non titulaires qui remplissent en totalité leurs fonctions dans un service […]
  sont transférés de plein droit » (L5211-4-2, NOTRe wording; the 2010 wording was not read), and « conservent, s'ils
  y ont intérêt, le bénéfice du régime indemnitaire qui leur était applicable » (L5211-4-1 I, L5111-7). Reading: all
  the FTE of the pooled functions of the member communes move to the EPCI (partial posts, mis à disposition, are not
  modelled). The yearly cost of aligning the régime indemnitaire is an explicit assumption (:class:`AlignementRI`).
- L5211-4-1 V (loi n° 2014-58, art. 55 I; text read, Légifrance JORFARTI000028526613): « Le coefficient de
  mutualisation des services d'un [EPCI] à fiscalité propre est égal au rapport entre : 1° La rémunération, toutes
  charges comprises, de l'ensemble des personnels affectés au sein de services ou parties de service fonctionnels
  employés par l'établissement public, y compris les fonctionnaires et agents transférés ou mis à sa disposition en
  application des I à III ; 2° La rémunération, toutes charges comprises, de l'ensemble des personnels affectés au sein
  de services ou parties de service fonctionnels dans toutes les communes membres et au sein de l'établissement
  public » (:func:`coefficient_mutualisation`). The DGF never used it: the report of art. 55 II on its use « comme
  critère de répartition de la dotation globale de fonctionnement » never appeared and the décret en Conseil d'État
  was never taken (svp.com, « Qu'est devenu le coefficient de mutualisation ? » ; exfilo.fr : « le coefficient de
  mutualisation s'avère impossible à mettre en oeuvre ») — a descriptive indicator, not a receipt (parameter
  ``coefficient_mutualisation.pris_en_compte_dgf`` = 0).

Inputs: the collection table ``fonctions_support`` (``entite``, ``an``, ``fonction_support``, ``etp``, ``cout`` =
personnel cost of the function in k€, ``provenance``). Amounts in k€ of the reference year (no indexation: the
projection engine indexes). Readings: « services fonctionnels » = the support functions of the table; cost key
``"population"`` — the EPCI bears the share of its own cost in the pooled cost and the communes share the rest by
population (as :mod:`orleans_gov.scenarios.actions.service_commun`), ``"etp"`` — FTE pooled, ``"usage"`` — units given.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios import clect
from orleans_gov.scenarios.gouvernance.pacte import reference_parametre, serie, valeur_parametre

CLES = ("population", "etp", "usage")
FINANCEMENTS = ("refacturation", "imputation_ac")
COLONNES = ("entite", "an", "fonction_support", "etp", "cout")
DEBUT_SERVICES_COMMUNS = _dt.date(2010, 12, 18)
REF_SERVICE = "CGCT art. L5211-4-2 (loi n° 2010-1563, art. 66)"
REF_PERSONNEL = "CGCT art. L5211-4-2 al. 6 (transfert de plein droit) et L5211-4-1 I (régime indemnitaire)"
S, C = "schema_mutualisation.", "coefficient_mutualisation."


@dataclass(frozen=True)
class AlignementRI:
    """Yearly cost of aligning the régime indemnitaire of the transferred staff (an assumption, not a rule):
    ``mode="keur_par_etp"`` → ``valeur`` k€ per transferred FTE per year; ``"part_cout"`` → ``valeur`` × the
    personnel cost transferred."""

    mode: str = "keur_par_etp"
    valeur: float = 0.0

    def cout(self, etp: float, cout_personnel: float) -> float:
        if self.mode == "keur_par_etp":
            return self.valeur * etp
        if self.mode == "part_cout":
            return self.valeur * cout_personnel
        raise ValueError(f"alignement du régime indemnitaire : mode inconnu « {self.mode} »")


@dataclass(frozen=True)
class ServiceCommunSpec:
    """One service commun: the support ``fonctions`` pooled, the member communes (the EPCI always takes part), the
    first year, the cost key, the financing, ``usage`` units per participant (EPCI included) for ``cle="usage"``,
    ``economies_etp`` (year → FTE saved that year, cumulative level, kept until the next year given), ``cout_etp``
    (k€ per FTE saved; default the pooled cost per FTE) and the régime indemnitaire alignment."""

    nom: str
    fonctions: tuple[str, ...]
    membres: tuple[str, ...]
    annee: int
    cle: str = "population"
    financement: str = "refacturation"
    usage: Mapping[str, float] | None = None
    economies_etp: Mapping[int, float] = field(default_factory=dict)
    cout_etp: float | None = None
    alignement: AlignementRI = field(default_factory=AlignementRI)


@dataclass(frozen=True)
class CoefficientMutualisation:
    numerateur: float
    denominateur: float
    coefficient: float
    reference: str
    pris_en_compte_dgf: bool


@dataclass(frozen=True)
class EcheancesSchema:
    """Deadlines of the report and schéma after the renewal ``renouvellement`` (dates, ``None`` = no legal date)."""

    obligatoire: bool
    date_limite_rapport: _dt.date | None
    transmission_conseils_municipaux: _dt.date | None
    approbation: _dt.date | None
    avis_conseils_municipaux_mois: float
    references: tuple[str, ...]


@dataclass(frozen=True)
class SchemaMutualisation:
    """The schéma as a deliverable: ``etat_des_lieux`` (function × entity: FTE, cost, provenance and the ``service``
    that would pool it, missing if none), ``services``,
    ``repartition`` (key and shares per participant), ``personnel`` (FTE transferred), ``trajectoire`` (cost of each
    service by year), ``effets`` (per service × year × participant: ``cout_evite``, ``contribution``, ``effet_net``,
    ``variation_ac``, ``refacturation``), ``effet_entites`` (year × entity totals) and the coefficient de
    mutualisation before and after the pooling (``None`` before 29 January 2014). The calendar:
    :func:`echeances_schema`."""

    annee_reference: int
    etat_des_lieux: pd.DataFrame
    services: pd.DataFrame
    repartition: pd.DataFrame
    personnel: pd.DataFrame
    trajectoire: pd.DataFrame
    effets: pd.DataFrame
    effet_entites: pd.DataFrame
    coefficient_avant: CoefficientMutualisation | None
    coefficient_apres: CoefficientMutualisation | None


def _table(fonctions_support: pd.DataFrame, annee: int | None) -> tuple[pd.DataFrame, int]:
    manquantes = [c for c in COLONNES if c not in fonctions_support.columns]
    if manquantes:
        raise ValueError(f"fonctions_support : colonnes manquantes {manquantes}")
    f = fonctions_support.assign(entite=fonctions_support["entite"].astype(str))
    an = int(f["an"].max()) if annee is None else int(annee)
    f = f[f["an"] == an]
    if f.empty:
        raise ValueError(f"fonctions_support : aucune ligne pour l'année {an}")
    if f.duplicated(["entite", "fonction_support"]).any():
        raise ValueError(f"fonctions_support : une fonction apparaît deux fois pour une entité en {an}")
    if f[["etp", "cout"]].isna().any().any() or (f[["etp", "cout"]] < 0).any().any():
        raise ValueError(f"fonctions_support : ETP ou coût manquant ou négatif en {an}")
    if "provenance" not in f.columns:
        f = f.assign(provenance=pd.NA)
    return f.reset_index(drop=True), an


def coefficient_mutualisation(fonctions_support: pd.DataFrame, epci: str, date: Any, *, annee: int | None = None,
                              fonctions: Sequence[str] | None = None, transferes: Mapping[str, float] | None = None,
                              parametres_: Parametres | None = None) -> CoefficientMutualisation:
    """Art. L5211-4-1 V CGCT (module docstring): Σ remuneration of the EPCI's functional staff, « y compris les
    fonctionnaires et agents transférés ou mis à sa disposition » (``transferes``: entity → remuneration moved from
    that commune to the EPCI), / Σ remuneration of the functional staff of all communes and the EPCI (each agent
    once). ``fonctions``: the « services fonctionnels » (default: every function of the table). Raises ``KeyError``
    before the coefficient exists (29 January 2014)."""
    par = parametres_ or parametres()
    d = date_effet(date)
    par(C + "defini", d)
    f, _ = _table(fonctions_support, annee)
    if fonctions is not None:
        f = f[f["fonction_support"].isin(list(fonctions))]
    denominateur = float(f["cout"].sum())
    t = dict(transferes or {})
    propres = f.groupby("entite")["cout"].sum()
    for e, v in t.items():
        if v > propres.get(e, 0.0) + 1e-9:
            raise ValueError(f"coefficient de mutualisation : transfert de {e} supérieur à sa rémunération")
    numerateur = float(propres.get(str(epci), 0.0)) + float(sum(t.values()))
    if denominateur <= 0:
        raise ValueError("coefficient de mutualisation : rémunération totale nulle")
    return CoefficientMutualisation(numerateur, denominateur, numerateur / denominateur,
                                    reference_parametre(par, C + "defini", d),
                                    bool(par(C + "pris_en_compte_dgf", d)))


def echeances_schema(renouvellement: Any, date: Any, *, lecture: str = "annee_civile",
                     parametres_: Parametres | None = None) -> EcheancesSchema:
    """Deadlines of art. L5211-39-1 for the renewal of ``renouvellement`` (date of its second round), by the law in
    force at ``date``. ``lecture`` of « dans l'année qui suit »: ``"annee_civile"`` (31 December of the next year,
    the Government's reading) or ``"douze_mois"``. The NOTRe dates apply to the first schémas (2014 renewal)."""
    if lecture not in ("annee_civile", "douze_mois"):
        raise ValueError(f"lecture du délai inconnue : « {lecture} »")
    par = parametres_ or parametres()
    r, d = date_effet(renouvellement), date_effet(date)
    obligatoire = bool(par(S + "obligatoire", d))
    mois = int(par(S + "delai_rapport_mois", d))
    limite = _dt.date(r.year + mois // 12, 12, 31) if lecture == "annee_civile" else \
        _dt.date(r.year + (r.month - 1 + mois) // 12, (r.month - 1 + mois) % 12 + 1, r.day)

    def date_parametre(nom: str) -> _dt.date | None:
        v = valeur_parametre(par, S + "premiers_schemas." + nom, d) if r.year == 2014 else None
        return None if v is None else _dt.date(int(v) // 10000, int(v) // 100 % 100, int(v) % 100)

    approbation = date_parametre("approbation")
    refs = (reference_parametre(par, S + "obligatoire", d), reference_parametre(par, S + "delai_rapport_mois", d),
            reference_parametre(par, S + "premiers_schemas.approbation", d))
    return EcheancesSchema(obligatoire, approbation or limite, date_parametre("transmission_conseils_municipaux"),
                           approbation or limite, par(S + "avis_conseils_municipaux_mois", d), refs)


def _niveau(economies: Mapping[int, float], annee: int) -> float:
    cles = [a for a in economies if a <= annee]
    return float(economies[max(cles)]) if cles else 0.0


def _cle(spec: ServiceCommunSpec, epci: str, couts: pd.Series, etps: pd.Series, pops: pd.Series | None
         ) -> pd.Series:
    participants = list(spec.membres) + [epci]
    if spec.cle == "etp":
        return etps.reindex(participants)
    if spec.cle == "usage":
        if spec.usage is None:
            raise ValueError(f"service « {spec.nom} » : unités d'usage requises (clé « usage »)")
        return serie(f"usage du service « {spec.nom} »", pd.Series(dict(spec.usage)).reindex(participants))
    if pops is None:
        raise ValueError(f"service « {spec.nom} » : populations requises (clé « population »)")
    p = serie("populations", pops.reindex(list(spec.membres)), strictement_positive=True)
    part_epci = float(couts[epci] / couts.sum()) if couts.sum() > 0 else 0.0
    return pd.concat([p / p.sum() * (1 - part_epci), pd.Series({epci: part_epci})])


def _valider(spec: ServiceCommunSpec, d: _dt.date, f: pd.DataFrame, epci: str, deja: set) -> None:
    if spec.cle not in CLES or spec.financement not in FINANCEMENTS:
        raise ValueError(f"service « {spec.nom} » : clé ou financement inconnu ({spec.cle}, {spec.financement})")
    if d < DEBUT_SERVICES_COMMUNS:
        raise KeyError(f"services communs (L5211-4-2) inexistants au {d.isoformat()}")
    if epci in spec.membres or not spec.membres:
        raise ValueError(f"service « {spec.nom} » : communes membres attendues (l'EPCI y participe toujours)")
    for e in list(spec.membres) + [epci]:
        for fn in spec.fonctions:
            if f[(f["entite"] == e) & (f["fonction_support"] == fn)].empty:
                raise ValueError(f"service « {spec.nom} » : fonction « {fn} » absente pour {e}")
            if (e, fn) in deja:
                raise ValueError(f"service « {spec.nom} » : fonction « {fn} » de {e} déjà mise en commun")
            deja.add((e, fn))


def _service(spec: ServiceCommunSpec, f: pd.DataFrame, epci: str, pops: pd.Series | None, annees: list[int]
             ) -> dict[str, list[dict]]:
    participants = list(spec.membres) + [epci]
    sel = f[f["fonction_support"].isin(spec.fonctions) & f["entite"].isin(participants)]
    couts = sel.groupby("entite")["cout"].sum().reindex(participants)
    etps = sel.groupby("entite")["etp"].sum().reindex(participants)
    cout, etp = float(couts.sum()), float(etps.sum())
    etp_tr, cout_tr = float(etps[list(spec.membres)].sum()), float(couts[list(spec.membres)].sum())
    ri = spec.alignement.cout(etp_tr, cout_tr)
    cout_etp = spec.cout_etp if spec.cout_etp is not None else (cout / etp if etp else 0.0)
    cle = _cle(spec, epci, couts, etps, pops)
    parts = clect.repartition_cle(1.0, cle)
    actif = [a >= spec.annee for a in annees]
    eco_etp = [_niveau(spec.economies_etp, a) if ok else 0.0 for a, ok in zip(annees, actif)]
    chemin = [cout + ri - e * cout_etp if ok else 0.0 for e, ok in zip(eco_etp, actif)]
    contributions = clect.repartition_cle(chemin, cle)
    out: dict[str, list[dict]] = {"services": [{
        "service": spec.nom, "fonctions": ", ".join(spec.fonctions), "membres": ", ".join(spec.membres),
        "annee": spec.annee, "cle": spec.cle, "financement": spec.financement, "etp": etp, "cout": cout,
        "etp_transferes": etp_tr, "cout_transferes": cout_tr, "alignement_ri": ri, "cout_etp": cout_etp,
        "reference": REF_SERVICE}], "repartition": [], "personnel": [], "trajectoire": [], "effets": []}
    for e in participants:
        out["repartition"].append({"service": spec.nom, "entite": e, "etp": float(etps[e]), "cout": float(couts[e]),
                                   "cle": float(cle[e]), "part": float(parts[e]), "financement": spec.financement})
        if e != epci:
            out["personnel"].append({"service": spec.nom, "entite": e, "etp_transferes": float(etps[e]),
                                     "cout_transferes": float(couts[e]), "annee": spec.annee,
                                     "reference": REF_PERSONNEL})
    for k, a in enumerate(annees):
        out["trajectoire"].append({"service": spec.nom, "annee": a, "actif": actif[k],
                                   "cout_reference": cout if actif[k] else 0.0,
                                   "alignement_ri": ri if actif[k] else 0.0,
                                   "etp_economises": eco_etp[k], "economies": eco_etp[k] * cout_etp,
                                   "cout_service": chemin[k], "etp_service": (etp - eco_etp[k]) if actif[k] else 0.0})
        for e in participants:
            q = float(contributions.loc[e].iloc[k])
            evite = float(couts[e]) if actif[k] else 0.0
            commune = e != epci
            ac = float(clect.imputation_service_commun(0.0, q)) if commune and spec.financement == "imputation_ac" \
                else 0.0
            out["effets"].append({"service": spec.nom, "annee": a, "entite": e, "cout_evite": evite,
                                  "contribution": q, "effet_net": evite - q, "variation_ac": ac,
                                  "refacturation": q if commune and spec.financement == "refacturation" else 0.0})
    return out


def schema_mutualisation(fonctions_support: pd.DataFrame, services: Sequence[ServiceCommunSpec], date: Any, *,
                         epci: str, annees: Sequence[int], populations: pd.Series | None = None,
                         annee_reference: int | None = None, parametres_: Parametres | None = None
                         ) -> SchemaMutualisation:
    """The schéma de mutualisation of ``services`` (module docstring) on the collection table of
    ``annee_reference`` (default: its latest year), effects for each year of ``annees``.

    Per participant and year (from the service's first year): ``cout_evite`` = its own cost of the pooled functions,
    ``contribution`` = its share (cost key) of the service's cost = Σ costs pooled + régime indemnitaire alignment −
    FTE saved × cost per FTE; ``effet_net`` = cout_evite − contribution (> 0: a saving); a member commune pays its
    contribution by ``refacturation`` or by a lower AC (``variation_ac`` = −contribution).
    """
    d = date_effet(date)
    f, an = _table(fonctions_support, annee_reference)
    epci = str(epci)
    deja: set = set()
    for spec in services:
        _valider(spec, d, f, epci, deja)
    blocs: dict[str, list[dict]] = {k: [] for k in ("services", "repartition", "personnel", "trajectoire", "effets")}
    for spec in services:
        for k, v in _service(spec, f, epci, populations, list(annees)).items():
            blocs[k] += v
    effets = pd.DataFrame(blocs["effets"])
    totaux = effets.groupby(["annee", "entite"], sort=False)[["cout_evite", "contribution", "effet_net",
                                                              "variation_ac", "refacturation"]].sum().reset_index()
    transferes: dict[str, float] = {}
    for p in blocs["personnel"]:
        transferes[p["entite"]] = transferes.get(p["entite"], 0.0) + p["cout_transferes"]
    pooling = {(e, fn): spec.nom for spec in services for e in list(spec.membres) + [epci] for fn in spec.fonctions}
    etat = f[["fonction_support", "entite", "etp", "cout", "provenance"]].sort_values(["fonction_support", "entite"])
    etat = etat.assign(service=[pooling.get((e, fn)) for e, fn in zip(etat["entite"], etat["fonction_support"])])
    try:
        avant = coefficient_mutualisation(f, epci, d, annee=an, parametres_=parametres_)
        apres = coefficient_mutualisation(f, epci, d, annee=an, transferes=transferes, parametres_=parametres_)
    except KeyError:  # before loi n° 2014-58: no coefficient
        avant = apres = None
    return SchemaMutualisation(
        an, etat.reset_index(drop=True), pd.DataFrame(blocs["services"]), pd.DataFrame(blocs["repartition"]),
        pd.DataFrame(blocs["personnel"]), pd.DataFrame(blocs["trajectoire"]), effets, totaux, avant, apres)
