"""Change of legal category (communauté d'agglomération → communauté urbaine → métropole): eligibility at a date,
the competences the new category requires, what the competence table records as moved, and the comparison of both.

Eligibility (parameters ``categories_epci.*`` of ``base/parametres/gouvernance.yaml``):

- communauté urbaine, art. L5215-1: « un ensemble de plus de 500 000 habitants » (loi n° 99-586), 450 000 (loi
  n° 2010-1563), « plus de 250 000 habitants » (loi n° 2014-58, art. 68, from 29 January 2014); contiguity (« d'un
  seul tenant et sans enclave ») is not modelled.
- métropole, art. L5217-1: RCT (« plus de 500 000 habitants », on request); from MAPTAM: automatic on 1 January 2015
  above 400 000 inhabitants in an aire urbaine of more than 650 000; on request 1° more than 400 000 inhabitants
  (with the chef-lieu de région until loi n° 2017-257), 2° centre of a zone d'emplois of more than 400 000 exercising
  the competences of L5217-2 I; from 2 March 2017 (loi n° 2017-257, art. 70) 3° chef-lieu de région and centre of a
  zone d'emplois of more than 400 000, 4° more than 250 000 inhabitants or chef-lieu de région on 31 December 2015,
  centre of a zone d'emplois of more than 400 000 (wording of the 4° not verified). The request needs the majority of
  :data:`.majorites.REGLES` ``"statut_metropole"``, the transformation into a CU that of ``"changement_categorie"``.

Competences: the required-competences table (``data/raw/reel/competences/competences_par_categorie.csv``, columns
``<categorie>_obligatoire`` ∈ {oui, interet_communautaire, implicite, optionnelle, non}, ``<categorie>_article``,
``<categorie>_depuis``, ``metropole_au_dela_cu``, ``complement``) is matched on ``domaine`` with the competence table of
the AgglO (``data/raw/reel/competences/competences_agglo-orleans.csv``: ``niveau`` = who held it in 2012-2016). Its
README: the competences received on 1 January 2017 « figurent avec le niveau communes (ou partagée […]) ; la note
indique le transfert de 2017 ».
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres

CATEGORIES_COMPETENCES = ("communaute_agglomeration", "communaute_urbaine", "metropole")
STATUTS_REQUIS = ("oui", "interet_communautaire", "implicite")
STATUTS = STATUTS_REQUIS + ("optionnelle", "non")
NIVEAUX_DETENUS = ("agglomération – obligatoire", "agglomération – optionnelle", "agglomération – facultative")
NIVEAUX_PARTIELS = ("agglomération – intérêt communautaire", "communes", "partagée")
MARQUEURS_TRANSFERT: Mapping[_dt.date, tuple[str, ...]] = {
    _dt.date(2017, 1, 1): (r"1er janvier 2017", r"transfert 2017"),
    _dt.date(2017, 5, 1): (r"mai 2017",),
}
A_CONFIRMER = re.compile(r"à confirmer", re.IGNORECASE)
Q = "categories_epci."


@dataclass(frozen=True)
class Eligibilite:
    """``communaute_urbaine`` / ``metropole``: eligible at the date (``metropole`` is ``None`` when a route in force
    lacks a datum and no other route is met); ``criteres``: one row per route (columns ``categorie``, ``voie``,
    ``article``, ``en_vigueur``, ``seuil_population``, ``seuil_aire_urbaine``, ``seuil_zone_emplois``,
    ``chef_lieu_requis``, ``satisfaite``; thresholds are « strictly more than »)."""

    communaute_urbaine: bool
    metropole: bool | None
    criteres: pd.DataFrame


def _valeur(par: Parametres, nom: str, d: _dt.date) -> float | None:
    try:
        return par(Q + nom, d)
    except KeyError:
        return None


def _sup(x: float | None, seuil: float | None) -> bool | None:
    return None if x is None or seuil is None else x > seuil


def _et(*conditions: bool | None) -> bool | None:
    """Three-valued « and »: False if one condition is False, None (unknown) if one is unknown, else True."""
    if any(c is False for c in conditions):
        return False
    return None if any(c is None for c in conditions) else True


def _ou(*conditions: bool | None) -> bool | None:
    """Three-valued « or »."""
    if any(c is True for c in conditions):
        return True
    return None if any(c is None for c in conditions) else False


def eligibilite(population_epci: float, date: Any, chef_lieu_region: bool, zone_emploi_population: float | None,
                *, aire_urbaine_population: float | None = None, competences_l5217_2: bool | None = None,
                chef_lieu_region_2015: bool | None = None, parametres_: Parametres | None = None) -> Eligibilite:
    """Eligibility of an EPCI to the communauté urbaine and métropole categories at ``date`` (arts L5215-1, L5217-1).

    ``zone_emploi_population``: population of the INSEE zone d'emplois the EPCI is the centre of (``None`` when
    unknown); ``aire_urbaine_population``: its INSEE aire urbaine (automatic route of 2015); ``competences_l5217_2``:
    whether it already exercises the competences of L5217-2 I (route 2°); ``chef_lieu_region_2015``: whether it
    contained a chef-lieu de région on 31 December 2015 (route 4°, defaults to ``chef_lieu_region``).
    """
    d = date_effet(date)
    par = parametres_ or parametres()
    m = "metropole."
    cl15 = chef_lieu_region if chef_lieu_region_2015 is None else chef_lieu_region_2015
    s_cu = _valeur(par, "communaute_urbaine.seuil_population", d)
    s_rct = _valeur(par, m + "seuil_population_rct", d)
    s_auto, s_au = _valeur(par, m + "automatique_seuil_epci", d), _valeur(par, m + "automatique_seuil_aire_urbaine", d)
    s1, s2 = _valeur(par, m + "demande_1_seuil_epci", d), _valeur(par, m + "demande_2_seuil_zone_emplois", d)
    exige = bool(_valeur(par, m + "demande_1_exige_chef_lieu", d) or 0)
    s3 = _valeur(par, m + "demande_3_seuil_zone_emplois", d)
    s4, s4z = _valeur(par, m + "demande_4_seuil_epci", d), _valeur(par, m + "demande_4_seuil_zone_emplois", d)
    ze = zone_emploi_population
    voies = [  # categorie, voie, article, threshold that says the route exists, pop, aire, zone, chef-lieu, result
        ("communaute_urbaine", "creation", "CGCT art. L5215-1", s_cu, s_cu, None, None, False,
         _sup(population_epci, s_cu)),
        ("metropole", "rct", "CGCT art. L5217-1 (loi n° 2010-1563)", s_rct, s_rct, None, None, False,
         _sup(population_epci, s_rct)),
        ("metropole", "automatique_2015", "CGCT art. L5217-1 al. 2 (loi n° 2014-58)", s_auto, s_auto, s_au, None, False,
         _et(_sup(population_epci, s_auto), _sup(aire_urbaine_population, s_au))),
        ("metropole", "demande_1", "CGCT art. L5217-1 1°", s1, s1, None, None, exige,
         _et(_sup(population_epci, s1), chef_lieu_region or not exige)),
        ("metropole", "demande_2", "CGCT art. L5217-1 2° (compétences du I de L5217-2 exercées)", s2, None, None, s2,
         False, _et(_sup(ze, s2), competences_l5217_2)),
        ("metropole", "demande_3", "CGCT art. L5217-1 3° (loi n° 2017-257, art. 70)", s3, None, None, s3, True,
         _et(chef_lieu_region, _sup(ze, s3))),
        ("metropole", "demande_4", "CGCT art. L5217-1 4° (loi n° 2017-257, art. 70 ; libellé non vérifié : population "
         "ou chef-lieu de région au 31 décembre 2015)", s4, s4, None, s4z, False,
         _et(_ou(_sup(population_epci, s4), cl15), _sup(ze, s4z))),
    ]
    lignes = [{"categorie": c, "voie": v, "article": a, "en_vigueur": existe is not None, "seuil_population": sp,
               "seuil_aire_urbaine": sa, "seuil_zone_emplois": sz, "chef_lieu_requis": cl,
               "satisfaite": ok if existe is not None else False}
              for c, v, a, existe, sp, sa, sz, cl, ok in voies]
    criteres = pd.DataFrame(lignes)
    metro = [l["satisfaite"] for l in lignes if l["categorie"] == "metropole" and l["en_vigueur"]]
    eligible_m: bool | None = True if any(x is True for x in metro) else (None if None in metro else False)
    return Eligibilite(bool(lignes[0]["satisfaite"]), eligible_m, criteres)


# ---------------------------------------------------------------------------------------------------------------
# Competences
# ---------------------------------------------------------------------------------------------------------------

def _verifier_categorie(categorie: str) -> None:
    if categorie not in CATEGORIES_COMPETENCES:
        raise ValueError(f"catégorie inconnue : « {categorie} » (attendu : {', '.join(CATEGORIES_COMPETENCES)})")


def _verifier_tables(competences: pd.DataFrame, requis: pd.DataFrame) -> None:
    for nom, table, cols in (("competences", competences, ("domaine", "niveau", "base_legale", "note")),
                             ("requis", requis, ("domaine", "metropole_au_dela_cu", "complement"))):
        manquantes = [c for c in cols if c not in table.columns]
        if manquantes:
            raise ValueError(f"{nom} : colonnes manquantes {manquantes}")
    inconnus = set(competences["niveau"]) - set(NIVEAUX_DETENUS) - set(NIVEAUX_PARTIELS)
    if inconnus:
        raise ValueError(f"competences : niveaux inconnus {sorted(inconnus)}")
    for cat in CATEGORIES_COMPETENCES:
        statuts = set(requis[f"{cat}_obligatoire"]) - set(STATUTS)
        if statuts:
            raise ValueError(f"requis : statuts inconnus pour {cat} {sorted(statuts)}")


def _texte(x: Any) -> str:
    """A cell as stripped text ("" for an empty cell or NaN)."""
    return "" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x).strip()


def _date(x: Any) -> _dt.date | None:
    return date_effet(_texte(x)) if _texte(x) else None


def ecart_competences(competences: pd.DataFrame, requis: pd.DataFrame, categorie: str, date: Any) -> pd.DataFrame:
    """The domaines ``categorie`` must hold (L5215-20 for a CU, L5217-2 for a métropole) that the AgglO did not hold
    fully: ``niveau`` « communes », « partagée » or « agglomération – intérêt communautaire » (the latter is enough for
    a requirement limited to the intérêt communautaire, and a row whose remainder is carried by its ``complement`` row
    is not counted twice), plus the required domaines absent from the competence table.

    Columns: ``domaine``, ``niveau`` (empty when absent), ``dans_table``, ``statut_requis``, ``article``,
    ``depuis`` (date the requirement applies from), ``requis_a_date`` (``depuis`` ≤ ``date``), ``a_confirmer``.
    """
    _verifier_categorie(categorie)
    _verifier_tables(competences, requis)
    d = date_effet(date)
    comp = competences.set_index("domaine")
    lignes = []
    for _, r in requis.iterrows():
        statut = r[f"{categorie}_obligatoire"]
        if statut not in STATUTS_REQUIS:
            continue
        dom = r["domaine"]
        dans = dom in comp.index
        niveau = comp.at[dom, "niveau"] if dans else None
        if dans and niveau in NIVEAUX_DETENUS:
            continue
        if niveau == "agglomération – intérêt communautaire" and (
                statut == "interet_communautaire" or _texte(r["complement"])):
            continue
        depuis = _date(r[f"{categorie}_depuis"])
        lignes.append({"domaine": dom, "niveau": niveau, "dans_table": dans, "statut_requis": statut,
                       "article": r[f"{categorie}_article"], "depuis": depuis,
                       "requis_a_date": depuis is not None and depuis <= d,
                       "a_confirmer": bool(dans and _a_confirmer(comp.loc[dom]))})
    return pd.DataFrame(lignes, columns=["domaine", "niveau", "dans_table", "statut_requis", "article", "depuis",
                                         "requis_a_date", "a_confirmer"])


def _a_confirmer(ligne: pd.Series) -> bool:
    return bool(A_CONFIRMER.search(f"{_texte(ligne.get('base_legale'))} {_texte(ligne.get('note'))}"))


def transferts_constates(competences: pd.DataFrame, date: Any,
                         marqueurs: Mapping[_dt.date, tuple[str, ...]] = MARQUEURS_TRANSFERT) -> pd.DataFrame:
    """What the competence table records as moved to the EPCI at the dates of ``marqueurs`` up to ``date``.

    A row counts as a transfer on a date when its ``niveau`` is « communes » or « partagée » (the table's convention)
    and its ``depuis`` is that date's month, or its ``domaine``, ``base_legale`` or ``note`` contains one of that
    date's markers (defaults: « 1er janvier 2017 » or « transfert 2017 » → 1 January 2017, « mai 2017 » → 1 May 2017).
    Columns: ``domaine``, ``niveau``, ``date_transfert``, ``indice`` (the matched text), ``a_confirmer``.
    """
    d = date_effet(date)
    lignes = []
    for _, r in competences.iterrows():
        if r["niveau"] not in ("communes", "partagée"):
            continue
        texte = " ".join(_texte(r.get(c)) for c in ("domaine", "base_legale", "note"))
        depuis = _texte(r.get("depuis"))
        for quand, motifs in sorted(marqueurs.items()):
            if quand > d:
                continue
            indice = next((m.group(0) for p in motifs if (m := re.search(p, texte))), None)
            if indice is None and depuis.startswith(quand.strftime("%Y-%m")):
                indice = f"depuis {depuis}"
            if indice is not None:
                lignes.append({"domaine": r["domaine"], "niveau": r["niveau"], "date_transfert": quand,
                               "indice": indice, "a_confirmer": _a_confirmer(r)})
    return pd.DataFrame(lignes, columns=["domaine", "niveau", "date_transfert", "indice", "a_confirmer"])


def comparer_transferts(competences: pd.DataFrame, requis: pd.DataFrame, categorie: str, date_transformation: Any,
                        categorie_precedente: str = "communaute_agglomeration") -> pd.DataFrame:
    """Backtest of a category change: the law's requirements at ``date_transformation`` against the transfers the
    competence table records on that date.

    One row per domaine required by ``categorie`` at that date or recorded as moved on it, with ``statut``:
    ``requis_et_constate``; ``constate_non_requis`` (moved although not required); ``constate_anticipe`` (moved
    before the date the law requires it, e.g. GEMAPI); ``requis_non_constate`` (required, not held, not moved);
    ``requis_absent_de_la_table``; ``requis_deja_detenu`` and ``requis_detenu_a_confirmer`` (held before, the latter
    on a row marked « à confirmer »). Domaines moved at an earlier date count as held; when ``categorie`` is
    ``metropole`` after ``communaute_urbaine``, a row with ``metropole_au_dela_cu = oui`` is required again.
    """
    _verifier_categorie(categorie)
    _verifier_categorie(categorie_precedente)
    _verifier_tables(competences, requis)
    d = date_effet(date_transformation)
    constates = transferts_constates(competences, d)
    avant = set(constates.loc[constates.date_transfert < d, "domaine"])
    maintenant = set(constates.loc[constates.date_transfert == d, "domaine"])
    ecart = ecart_competences(competences, requis, categorie, d).set_index("domaine")
    comp = competences.set_index("domaine")
    req = requis.set_index("domaine")
    extension = categorie == "metropole" and categorie_precedente == "communaute_urbaine"
    lignes = []
    for dom, r in req.iterrows():
        statut_req = r[f"{categorie}_obligatoire"]
        depuis = _date(r[f"{categorie}_depuis"])
        requis_date = statut_req in STATUTS_REQUIS and depuis is not None and depuis <= d
        requis_plus_tard = statut_req in STATUTS_REQUIS and depuis is not None and depuis > d
        constate = dom in maintenant
        if not requis_date and not constate:
            continue
        dans = dom in comp.index
        a_conf = bool(dans and _a_confirmer(comp.loc[dom]))
        manque = dom in ecart.index and dom not in avant
        nouveau = extension and _texte(r["metropole_au_dela_cu"]) == "oui" and dom in comp.index
        if constate:
            statut = ("requis_et_constate" if requis_date else
                      "constate_anticipe" if requis_plus_tard else "constate_non_requis")
        elif dom in avant and not nouveau:
            statut = "requis_deja_detenu"
        elif not dans:
            statut = "requis_absent_de_la_table"
        elif manque or nouveau:
            statut = "requis_non_constate"
        else:
            statut = "requis_detenu_a_confirmer" if a_conf else "requis_deja_detenu"
        lignes.append({"domaine": dom, "statut": statut, "requis": requis_date, "depuis": depuis,
                       "article": r[f"{categorie}_article"], "constate": constate, "a_confirmer": a_conf})
    for dom in sorted(maintenant - set(req.index)):
        lignes.append({"domaine": dom, "statut": "constate_non_requis", "requis": False, "depuis": None,
                       "article": "", "constate": True, "a_confirmer": False})
    return pd.DataFrame(lignes, columns=["domaine", "statut", "requis", "depuis", "article", "constate",
                                         "a_confirmer"])
