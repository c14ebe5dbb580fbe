"""Scenario files (``config/scenarios/*.yaml``): strict schema and validation.

The French documentation of every key is ``config/scenarios/README.md``. This module turns a YAML file into
frozen dataclasses, refusing anything it does not understand: unknown keys, unknown communes, unknown policy
areas (the ``domaine`` column of the sourced competence table), impossible dates (outside the horizon, before
the reference year), negative amounts. Every refusal is an :class:`~orleans_gov.base.erreurs.ErreurScenario` whose
message names the file, the key path (``actions[1].communes[3]``) and the reason.

A scenario may inherit the ``hypotheses`` (and ``annee_reference`` / ``horizon``) of another file with
``base: fil-de-l-eau.yaml`` (path relative to the scenario file); its own ``hypotheses`` are merged key by key
over the inherited ones.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.base.nomenclatures import FONCTIONS_SUPPORT
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO

FAMILLES_RECETTES = ("fiscalite", "dgf", "autres_recettes")
FAMILLES_DEPENSES = ("personnel", "autres_charges")
FAMILLES = FAMILLES_RECETTES + FAMILLES_DEPENSES
NIVEAUX = ("communes", "agglomeration")
CLES_REPARTITION = ("population", "etp", "usage")
CRITERES_DSC = ("population", "potentiel_fiscal", "revenu")
METHODES_EQUIPEMENT = ("aucun", "investissement_moyen", "inventaire")
FINANCEMENTS_SERVICE = ("imputation_ac", "remboursement")

# ---------------------------------------------------------------------------------------------------------
# dataclasses
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Emprunts:
    taux_interet: float
    duree_annees: int


@dataclass(frozen=True)
class Investissement:
    croissance: dict[str, float]                       # niveau -> yearly growth of the reference-year programme
    programme: dict[str, dict[int, float]]             # entity -> year -> k€ (explicit overrides)
    recettes_pct: dict[str, float | None]              # niveau -> share of equipment funded by grants/FCTVA (None = calibrated)


@dataclass(frozen=True)
class DotationIntercommunalite:
    valeur_point_eur_hab: float
    cif_moyen_categorie: float
    decalage_annees: int
    part_dsc_cif: float


@dataclass(frozen=True)
class Sensibilite:
    ecarts_types: dict[str, float]
    tornado: dict[str, float]


@dataclass(frozen=True)
class Hypotheses:
    croissance: dict[str, dict[str, dict[int, float]]]  # niveau -> famille -> year -> rate
    croissance_dsc: float
    emprunts: Emprunts
    investissement: Investissement
    prelevement_fonds_roulement: dict[str, dict[int, float]]
    cout_moyen_etp_keur: float
    dotation_intercommunalite: DotationIntercommunalite
    sensibilite: Sensibilite


@dataclass(frozen=True)
class EquipementInventaire:
    commune: str
    libelle: str
    cout: float
    frais_financiers: float
    entretien_annuel: float
    duree_vie: float


@dataclass(frozen=True)
class Transfert:
    competence: str
    fonction_m14: str
    annee: int
    prorata: float                # share of the first year concerned (1.0 when the date is 1 January)
    communes: tuple[str, ...]
    part_fonction: dict[str, float]
    annees_moyenne: int
    recettes_liees_pct: float
    methode_equipement: str
    annees_moyenne_equipement: int
    deduire_recettes_investissement: bool
    inventaire: tuple[EquipementInventaire, ...]
    part_personnel: float
    etp: dict[str, float]          # explicit FTE moving per commune (else derived)
    transfert_investissement: bool
    type: str = "transfert"


@dataclass(frozen=True)
class ServiceCommun:
    nom: str
    annee: int
    prorata: float
    communes: tuple[str, ...]
    part_fonction_0: dict[str, float]  # entity -> share of function 0 (services généraux) operating spending
    part_personnel: float
    cle_repartition: str
    usage: dict[str, float]
    financement: str
    economies_etp: float
    economies_a_partir_de: int
    fonctions_support: tuple[str, ...] = ()   # support functions of the collection table (else part_fonction_0)
    type: str = "service_commun"


@dataclass(frozen=True)
class VariationTaux:
    entites: tuple[str, ...]
    annee: int
    variation: float


@dataclass(frozen=True)
class PacteFinancier:
    annee: int
    dsc_montant_keur: float | None
    dsc_indexation: float
    criteres: dict[str, float]
    taux: tuple[VariationTaux, ...]
    type: str = "pacte_financier"


Action = Transfert | ServiceCommun | PacteFinancier


@dataclass(frozen=True)
class Scenario:
    nom: str
    description: str
    fichier: str
    annee_reference: int
    debut: int
    fin: int
    hypotheses: Hypotheses
    actions: tuple[Action, ...] = field(default_factory=tuple)

    @property
    def annees(self) -> list[int]:
        """Projected years: reference year + 1 … end of horizon."""
        return list(range(self.annee_reference + 1, self.fin + 1))

    def sans_actions(self) -> "Scenario":
        """The counterfactual: same assumptions, no action (what each scenario is compared with)."""
        return Scenario(nom=f"{self.nom} — sans action", description="Contrefactuel sans action",
                        fichier=self.fichier, annee_reference=self.annee_reference, debut=self.debut,
                        fin=self.fin, hypotheses=self.hypotheses, actions=())


# ---------------------------------------------------------------------------------------------------------
# defaults (documented in config/scenarios/README.md)
# ---------------------------------------------------------------------------------------------------------

DEFAUT_HYPOTHESES: dict[str, Any] = {
    "croissance": {
        "communes": {"fiscalite": 0.02, "dgf": -0.03, "autres_recettes": 0.01,
                     "personnel": 0.025, "autres_charges": 0.015},
        "agglomeration": {"fiscalite": 0.02, "dgf": -0.03, "autres_recettes": 0.01,
                          "personnel": 0.025, "autres_charges": 0.015},
    },
    "croissance_dsc": 0.0,
    "emprunts": {"taux_interet": 0.03, "duree_annees": 20},
    "investissement": {"croissance": {"communes": 0.0, "agglomeration": 0.0}, "programme": {},
                       "recettes_pct": {"communes": None, "agglomeration": None}},
    "prelevement_fonds_roulement": {},
    "cout_moyen_etp_keur": 45.0,
    "dotation_intercommunalite": {"valeur_point_eur_hab": 40.0, "cif_moyen_categorie": 0.33,
                                  "decalage_annees": 2, "part_dsc_cif": 0.5},
    "sensibilite": {
        "ecarts_types": {"fiscalite": 0.005, "dgf": 0.01, "autres_recettes": 0.005, "personnel": 0.005,
                         "autres_charges": 0.005, "taux_interet": 0.005, "investissement": 0.10},
        "tornado": {"fiscalite": 0.005, "dgf": 0.01, "autres_recettes": 0.005, "personnel": 0.005,
                    "autres_charges": 0.005, "taux_interet": 0.01, "investissement": 0.10},
    },
}

HYPOTHESES_SENSIBILITE = FAMILLES + ("taux_interet", "investissement")


# ---------------------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------------------


class _Lecteur:
    """Walks the YAML tree, keeping the file name for error messages."""

    def __init__(self, fichier: str, domaines: Mapping[str, str] | None) -> None:
        self.fichier = fichier
        self.domaines = domaines

    def erreur(self, chemin: str, raison: str) -> ErreurScenario:
        err = ErreurScenario(f"clé « {chemin} » : {raison}", fichier=self.fichier)
        err.cle = chemin  # type: ignore[attr-defined]
        err.raison = raison  # type: ignore[attr-defined]
        return err

    def dico(self, obj: Any, chemin: str, requises: tuple[str, ...], optionnelles: tuple[str, ...]) -> dict:
        if not isinstance(obj, dict):
            raise self.erreur(chemin or "(racine)", f"un dictionnaire (clé: valeur) est attendu, pas {obj!r}")
        for k in obj:
            if k not in requises and k not in optionnelles:
                connues = ", ".join(requises + optionnelles)
                raise self.erreur(_join(chemin, k), f"clé inconnue (clés admises : {connues})")
        for k in requises:
            if k not in obj:
                raise self.erreur(_join(chemin, k), "clé obligatoire absente")
        return obj

    def nombre(self, v: Any, chemin: str, *, minimum: float | None = None, maximum: float | None = None,
               entier: bool = False) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
            raise self.erreur(chemin, f"nombre attendu, pas {v!r}")
        if entier and not float(v).is_integer():
            raise self.erreur(chemin, f"nombre entier attendu, pas {v!r}")
        if minimum is not None and v < minimum:
            raison = "montant négatif refusé" if minimum == 0 else f"valeur {v!r} inférieure au minimum {minimum!r}"
            raise self.erreur(chemin, f"{raison} (valeur {v!r})" if minimum == 0 else raison)
        if maximum is not None and v > maximum:
            raise self.erreur(chemin, f"valeur {v!r} supérieure au maximum {maximum!r}")
        return int(v) if entier else float(v)

    def texte(self, v: Any, chemin: str) -> str:
        if not isinstance(v, str) or not v.strip():
            raise self.erreur(chemin, f"texte non vide attendu, pas {v!r}")
        return v.strip()

    def choix(self, v: Any, chemin: str, choix: tuple[str, ...]) -> str:
        if v not in choix:
            raise self.erreur(chemin, f"valeur {v!r} inconnue (valeurs admises : {', '.join(choix)})")
        return v

    def commune(self, v: Any, chemin: str) -> str:
        code = _code_commune(v)
        if code is None:
            raise self.erreur(chemin, f"commune inconnue {v!r} (attendu : code INSEE, SIREN ou nom exact "
                                      f"d'une des 22 communes de l'agglomération)")
        return code

    def entite(self, v: Any, chemin: str) -> str:
        if str(v).strip() == SIREN_AGGLO:
            return SIREN_AGGLO
        code = _code_commune(v)
        if code is None:
            raise self.erreur(chemin, f"entité inconnue {v!r} (attendu : une commune du périmètre ou le "
                                      f"SIREN {SIREN_AGGLO} de l'agglomération)")
        return code

    def communes(self, v: Any, chemin: str) -> tuple[str, ...]:
        if v == "toutes":
            return CODES_INSEE
        if not isinstance(v, list) or not v:
            raise self.erreur(chemin, f"liste non vide de communes ou « toutes » attendue, pas {v!r}")
        out = []
        for i, c in enumerate(v):
            code = self.commune(c, f"{chemin}[{i}]")
            if code in out:
                raise self.erreur(f"{chemin}[{i}]", f"commune {code} citée deux fois")
            out.append(code)
        return tuple(out)

    def annee_date(self, v: Any, chemin: str, debut: int, fin: int, reference: int) -> tuple[int, float]:
        """Year of effect and first-year prorata of a ``date`` (``2016``, ``2016-01-01`` or ``2016-07-01``)."""
        if isinstance(v, bool):
            raise self.erreur(chemin, f"date attendue, pas {v!r}")
        if isinstance(v, int):
            d = _dt.date(v, 1, 1)
        elif isinstance(v, _dt.datetime):
            d = v.date()
        elif isinstance(v, _dt.date):
            d = v
        elif isinstance(v, str):
            try:
                d = _dt.date.fromisoformat(v.strip()) if "-" in v else _dt.date(int(v), 1, 1)
            except ValueError:
                raise self.erreur(chemin, f"date illisible {v!r} (format AAAA ou AAAA-MM-JJ)") from None
        else:
            raise self.erreur(chemin, f"date attendue (AAAA ou AAAA-MM-JJ), pas {v!r}")
        if d.year <= reference:
            raise self.erreur(chemin, f"date impossible {d.isoformat()} : antérieure ou égale à l'année de "
                                      f"référence {reference} (le transfert doit suivre l'année de référence)")
        if not debut <= d.year <= fin:
            raise self.erreur(chemin, f"date impossible {d.isoformat()} : hors de l'horizon {debut}–{fin}")
        jours = (_dt.date(d.year + 1, 1, 1) - _dt.date(d.year, 1, 1)).days
        prorata = (_dt.date(d.year + 1, 1, 1) - d).days / jours
        return d.year, prorata

    def annee(self, v: Any, chemin: str, debut: int, fin: int) -> int:
        a = self.nombre(v, chemin, entier=True)
        if not debut <= a <= fin:
            raise self.erreur(chemin, f"année impossible {a} : hors de l'horizon {debut}–{fin}")
        return int(a)

    def serie_taux(self, v: Any, chemin: str, annees: list[int]) -> dict[int, float]:
        """A growth rate: one number for every year, or a mapping year -> rate that must cover every projected
        year (years outside the projection are validated but not used: a shorter horizon may reuse a file)."""
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                a = self.nombre(k, f"{chemin}.{k}", entier=True, minimum=1990, maximum=2100)
                out[int(a)] = self.nombre(x, f"{chemin}.{k}", minimum=-0.5, maximum=0.5)
            manquantes = [a for a in annees if a not in out]
            if manquantes:
                raise self.erreur(chemin, f"taux manquant pour les années {manquantes}")
            return {a: out[a] for a in annees}
        taux = self.nombre(v, chemin, minimum=-0.5, maximum=0.5)
        return {a: taux for a in annees}

    def montants_par_entite(self, v: Any, chemin: str, annees: list[int]) -> dict[str, dict[int, float]]:
        if not isinstance(v, dict):
            raise self.erreur(chemin, f"dictionnaire entité -> {{année: montant k€}} attendu, pas {v!r}")
        out: dict[str, dict[int, float]] = {}
        for e, par_an in v.items():
            ce = self.entite(e, f"{chemin}.{e}")
            if not isinstance(par_an, dict):
                raise self.erreur(f"{chemin}.{e}", f"dictionnaire année -> montant k€ attendu, pas {par_an!r}")
            out[ce] = {}
            for a, m in par_an.items():
                an = self.nombre(a, f"{chemin}.{e}.{a}", entier=True)
                if an not in annees:
                    raise self.erreur(f"{chemin}.{e}.{a}", f"année {an} hors des années projetées "
                                                           f"{annees[0]}–{annees[-1]}")
                out[ce][int(an)] = self.nombre(m, f"{chemin}.{e}.{a}", minimum=0)
        return out

    def parts_par_entite(self, v: Any, chemin: str, entites: tuple[str, ...]) -> dict[str, float]:
        """A share in [0, 1]: one number for every entity, or a mapping entity -> share (all required)."""
        if isinstance(v, dict):
            out = {}
            for e, x in v.items():
                ce = self.entite(e, f"{chemin}.{e}")
                out[ce] = self.nombre(x, f"{chemin}.{e}", minimum=0, maximum=1)
            manquantes = [e for e in entites if e not in out]
            if manquantes:
                raise self.erreur(chemin, f"part manquante pour {manquantes}")
            return out
        x = self.nombre(v, chemin, minimum=0, maximum=1)
        return {e: x for e in entites}


def _join(chemin: str, cle: Any) -> str:
    return f"{chemin}.{cle}" if chemin else str(cle)


def _code_commune(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    s = str(v).strip()
    if s in COMMUNES:
        return s
    for code, (siren, nom) in COMMUNES.items():
        if s == siren or s.casefold() == nom.casefold():
            return code
    return None


def _fusion(base: dict, dessus: dict) -> dict:
    """Deep merge of two hypothesis trees (``dessus`` wins)."""
    out = dict(base)
    for k, v in dessus.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k not in ("programme",
                                                                             "prelevement_fonds_roulement"):
            out[k] = _fusion(out[k], v)
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------------------------

_CLES_RACINE = ("nom", "description", "annee_reference", "horizon", "hypotheses", "actions", "base")


def charger_scenario(chemin: str | Path, domaines: Mapping[str, str] | None = None, *,
                     annee_reference: int | None = None, horizon: tuple[int, int] | list[int] | None = None
                     ) -> Scenario:
    """Read and validate a scenario file.

    ``domaines`` maps each policy area (``domaine`` of the competence table) to its M14 function; when None it
    is read from the sourced competence table of the repository (:func:`domaines_competences`).
    ``annee_reference`` and ``horizon`` (``[debut, fin]``), when given, replace the file's values (notebook
    parameters) before validation, so that the dates of the actions are checked against them.
    """
    chemin = Path(chemin)
    if domaines is None:
        domaines = domaines_competences()
    try:
        brut = yaml.safe_load(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ErreurScenario("fichier de scénario introuvable", fichier=chemin) from None
    except yaml.YAMLError as exc:
        raise ErreurScenario(f"YAML illisible : {exc}", fichier=chemin) from None
    if isinstance(brut, dict):
        brut = dict(brut)
        if annee_reference is not None:
            brut["annee_reference"] = annee_reference
        if horizon is not None:
            if len(horizon) != 2:
                raise ErreurScenario(f"clé « horizon » : [début, fin] attendu, pas {horizon!r}", fichier=chemin)
            brut["horizon"] = {"debut": int(horizon[0]), "fin": int(horizon[1])}
    return lire_scenario(brut, fichier=str(chemin), domaines=domaines, dossier=chemin.parent)


def lire_scenario(brut: Any, *, fichier: str, domaines: Mapping[str, str] | None = None,
                  dossier: Path | None = None, _pile: tuple[str, ...] = ()) -> Scenario:
    """Validate an already-parsed YAML tree (see :func:`charger_scenario`)."""
    if domaines is None:
        domaines = domaines_competences()
    lec = _Lecteur(fichier, domaines)
    d = lec.dico(brut, "", ("nom", "description"), ("annee_reference", "horizon", "hypotheses", "actions", "base"))
    nom = lec.texte(d["nom"], "nom")
    description = lec.texte(d["description"], "description")

    base_hyp: dict = DEFAUT_HYPOTHESES
    ref_base = horizon_base = None
    if "base" in d:
        nom_base = lec.texte(d["base"], "base")
        chemin_base = (dossier or Path(".")) / nom_base
        if str(chemin_base.resolve()) in _pile:
            raise lec.erreur("base", f"héritage circulaire ({nom_base})")
        try:
            brut_base = yaml.safe_load(chemin_base.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise lec.erreur("base", f"fichier de base introuvable : {chemin_base}") from None
        sc_base = lire_scenario(brut_base, fichier=str(chemin_base), domaines=domaines, dossier=chemin_base.parent,
                                _pile=_pile + (str(Path(fichier).resolve()),))
        base_hyp = _fusion(DEFAUT_HYPOTHESES, (brut_base or {}).get("hypotheses") or {})
        ref_base, horizon_base = sc_base.annee_reference, (sc_base.debut, sc_base.fin)

    if "annee_reference" in d:
        reference = lec.nombre(d["annee_reference"], "annee_reference", entier=True, minimum=2008, maximum=2030)
    elif ref_base is not None:
        reference = ref_base
    else:
        raise lec.erreur("annee_reference", "clé obligatoire absente")
    if "horizon" in d:
        h = lec.dico(d["horizon"], "horizon", ("debut", "fin"), ())
        debut = lec.nombre(h["debut"], "horizon.debut", entier=True)
        fin = lec.nombre(h["fin"], "horizon.fin", entier=True)
    elif horizon_base is not None:
        debut, fin = horizon_base
    else:
        raise lec.erreur("horizon", "clé obligatoire absente")
    if debut <= reference:
        raise lec.erreur("horizon.debut", f"l'horizon doit commencer après l'année de référence {reference} "
                                          f"(valeur {debut})")
    if fin < debut:
        raise lec.erreur("horizon.fin", f"fin {fin} antérieure au début {debut}")
    if fin - reference > 30:
        raise lec.erreur("horizon.fin", "horizon de plus de 30 ans refusé")
    annees = list(range(reference + 1, fin + 1))

    hyp_brut = d.get("hypotheses") or {}
    lec.dico(hyp_brut, "hypotheses", (), tuple(DEFAUT_HYPOTHESES))
    hyp = _lire_hypotheses(lec, _fusion(base_hyp, hyp_brut), annees)

    actions_brut = d.get("actions") or []
    if not isinstance(actions_brut, list):
        raise lec.erreur("actions", f"liste d'actions attendue, pas {actions_brut!r}")
    actions = tuple(_lire_action(lec, a, f"actions[{i}]", reference, debut, fin, annees)
                    for i, a in enumerate(actions_brut))
    return Scenario(nom=nom, description=description, fichier=fichier, annee_reference=int(reference),
                    debut=int(debut), fin=int(fin), hypotheses=hyp, actions=actions)


def _lire_hypotheses(lec: _Lecteur, h: dict, annees: list[int]) -> Hypotheses:
    p = "hypotheses"
    lec.dico(h, p, (), tuple(DEFAUT_HYPOTHESES))
    cr = lec.dico(h["croissance"], f"{p}.croissance", (), NIVEAUX)
    croissance: dict[str, dict[str, dict[int, float]]] = {}
    for niv in NIVEAUX:
        fam = lec.dico(cr[niv], f"{p}.croissance.{niv}", (), FAMILLES)
        croissance[niv] = {f: lec.serie_taux(fam[f], f"{p}.croissance.{niv}.{f}", annees) for f in FAMILLES}
    croissance_dsc = lec.nombre(h["croissance_dsc"], f"{p}.croissance_dsc", minimum=-0.5, maximum=0.5)

    em = lec.dico(h["emprunts"], f"{p}.emprunts", (), ("taux_interet", "duree_annees"))
    emprunts = Emprunts(lec.nombre(em["taux_interet"], f"{p}.emprunts.taux_interet", minimum=0, maximum=0.2),
                        lec.nombre(em["duree_annees"], f"{p}.emprunts.duree_annees", entier=True, minimum=1,
                                   maximum=50))

    inv = lec.dico(h["investissement"], f"{p}.investissement", (), ("croissance", "programme", "recettes_pct"))
    icr = lec.dico(inv["croissance"], f"{p}.investissement.croissance", (), NIVEAUX)
    irp = lec.dico(inv["recettes_pct"], f"{p}.investissement.recettes_pct", (), NIVEAUX)
    investissement = Investissement(
        croissance={n: lec.nombre(icr[n], f"{p}.investissement.croissance.{n}", minimum=-0.5, maximum=0.5)
                    for n in NIVEAUX},
        programme=lec.montants_par_entite(inv["programme"] or {}, f"{p}.investissement.programme", annees),
        recettes_pct={n: (None if irp[n] in (None, "reference") else
                          lec.nombre(irp[n], f"{p}.investissement.recettes_pct.{n}", minimum=0, maximum=1))
                      for n in NIVEAUX},
    )
    prelev = lec.montants_par_entite(h["prelevement_fonds_roulement"] or {}, f"{p}.prelevement_fonds_roulement",
                                     annees)
    cout_etp = lec.nombre(h["cout_moyen_etp_keur"], f"{p}.cout_moyen_etp_keur", minimum=0)
    if cout_etp == 0:
        raise lec.erreur(f"{p}.cout_moyen_etp_keur", "coût moyen d'un ETP nul refusé")
    di = lec.dico(h["dotation_intercommunalite"], f"{p}.dotation_intercommunalite", (),
                  ("valeur_point_eur_hab", "cif_moyen_categorie", "decalage_annees", "part_dsc_cif"))
    q = f"{p}.dotation_intercommunalite"
    dotation = DotationIntercommunalite(
        valeur_point_eur_hab=lec.nombre(di["valeur_point_eur_hab"], f"{q}.valeur_point_eur_hab", minimum=0),
        cif_moyen_categorie=lec.nombre(di["cif_moyen_categorie"], f"{q}.cif_moyen_categorie", minimum=0.01,
                                       maximum=1),
        decalage_annees=lec.nombre(di["decalage_annees"], f"{q}.decalage_annees", entier=True, minimum=0,
                                   maximum=3),
        part_dsc_cif=lec.nombre(di["part_dsc_cif"], f"{q}.part_dsc_cif", minimum=0, maximum=1),
    )
    se = lec.dico(h["sensibilite"], f"{p}.sensibilite", (), ("ecarts_types", "tornado"))
    et = lec.dico(se["ecarts_types"], f"{p}.sensibilite.ecarts_types", (), HYPOTHESES_SENSIBILITE)
    to = lec.dico(se["tornado"], f"{p}.sensibilite.tornado", (), HYPOTHESES_SENSIBILITE)
    sensibilite = Sensibilite(
        ecarts_types={k: lec.nombre(et[k], f"{p}.sensibilite.ecarts_types.{k}", minimum=0, maximum=1)
                      for k in HYPOTHESES_SENSIBILITE},
        tornado={k: lec.nombre(to[k], f"{p}.sensibilite.tornado.{k}", minimum=0, maximum=1)
                 for k in HYPOTHESES_SENSIBILITE},
    )
    return Hypotheses(croissance=croissance, croissance_dsc=croissance_dsc, emprunts=emprunts,
                      investissement=investissement, prelevement_fonds_roulement=prelev,
                      cout_moyen_etp_keur=cout_etp, dotation_intercommunalite=dotation, sensibilite=sensibilite)


def _lire_action(lec: _Lecteur, a: Any, p: str, reference: int, debut: int, fin: int,
                 annees: list[int]) -> Action:
    if not isinstance(a, dict) or "type" not in a:
        raise lec.erreur(f"{p}.type", "chaque action doit avoir un « type » (transfert, service_commun, "
                                      "pacte_financier)")
    t = lec.choix(a["type"], f"{p}.type", ("transfert", "service_commun", "pacte_financier"))
    if t == "transfert":
        return _lire_transfert(lec, a, p, reference, debut, fin)
    if t == "service_commun":
        return _lire_service(lec, a, p, reference, debut, fin)
    return _lire_pacte(lec, a, p, reference, debut, fin)


def _lire_transfert(lec: _Lecteur, a: dict, p: str, reference: int, debut: int, fin: int) -> Transfert:
    lec.dico(a, p, ("type", "competence", "date", "communes", "part_fonction", "clect", "personnel"),
             ("fonction_m14", "transfert_investissement"))
    competence = lec.texte(a["competence"], f"{p}.competence")
    domaines = lec.domaines or {}
    if competence not in domaines:
        raise lec.erreur(f"{p}.competence", f"domaine de compétence inconnu {competence!r} (il doit figurer "
                                            f"exactement dans la colonne « domaine » de la table des compétences)")
    fonction = str(domaines[competence])
    if "fonction_m14" in a:
        f = str(a["fonction_m14"]).strip()
        if f not in [str(i) for i in range(10)]:
            raise lec.erreur(f"{p}.fonction_m14", f"fonction M14 inconnue {a['fonction_m14']!r} (0 à 9)")
        if f != fonction:
            raise lec.erreur(f"{p}.fonction_m14", f"fonction {f} incohérente avec la table des compétences "
                                                  f"(fonction {fonction} pour « {competence} »)")
    annee, prorata = lec.annee_date(a["date"], f"{p}.date", debut, fin, reference)
    communes = lec.communes(a["communes"], f"{p}.communes")
    part_fonction = lec.parts_par_entite(a["part_fonction"], f"{p}.part_fonction", communes)
    c = lec.dico(a["clect"], f"{p}.clect", ("annees_moyenne", "recettes_liees_pct", "equipement"), ())
    n = lec.nombre(c["annees_moyenne"], f"{p}.clect.annees_moyenne", entier=True, minimum=1, maximum=10)
    recettes = lec.nombre(c["recettes_liees_pct"], f"{p}.clect.recettes_liees_pct", minimum=0, maximum=1)
    eq = lec.dico(c["equipement"], f"{p}.clect.equipement", ("methode",),
                  ("annees_moyenne", "inventaire", "deduire_recettes_investissement"))
    deduire = eq.get("deduire_recettes_investissement", True)
    if not isinstance(deduire, bool):
        raise lec.erreur(f"{p}.clect.equipement.deduire_recettes_investissement", f"vrai/faux attendu, pas {deduire!r}")
    methode = lec.choix(eq["methode"], f"{p}.clect.equipement.methode", METHODES_EQUIPEMENT)
    n_eq = n
    if "annees_moyenne" in eq:
        n_eq = lec.nombre(eq["annees_moyenne"], f"{p}.clect.equipement.annees_moyenne", entier=True, minimum=1,
                          maximum=10)
    inventaire = []
    if methode == "inventaire":
        if not isinstance(eq.get("inventaire"), list) or not eq["inventaire"]:
            raise lec.erreur(f"{p}.clect.equipement.inventaire", "liste d'équipements attendue pour la méthode "
                                                                  "« inventaire »")
        for i, it in enumerate(eq["inventaire"]):
            q = f"{p}.clect.equipement.inventaire[{i}]"
            lec.dico(it, q, ("commune", "libelle", "cout", "duree_vie"), ("frais_financiers", "entretien_annuel"))
            commune = lec.commune(it["commune"], f"{q}.commune")
            if commune not in communes:
                raise lec.erreur(f"{q}.commune", f"commune {commune} absente de la liste des communes qui "
                                                 f"transfèrent")
            duree = lec.nombre(it["duree_vie"], f"{q}.duree_vie", minimum=0)
            if duree == 0:
                raise lec.erreur(f"{q}.duree_vie", "durée de vie nulle refusée")
            inventaire.append(EquipementInventaire(
                commune=commune, libelle=lec.texte(it["libelle"], f"{q}.libelle"),
                cout=lec.nombre(it["cout"], f"{q}.cout", minimum=0),
                frais_financiers=lec.nombre(it.get("frais_financiers", 0), f"{q}.frais_financiers", minimum=0),
                entretien_annuel=lec.nombre(it.get("entretien_annuel", 0), f"{q}.entretien_annuel", minimum=0),
                duree_vie=duree))
    elif "inventaire" in eq:
        raise lec.erreur(f"{p}.clect.equipement.inventaire", f"inventaire donné alors que la méthode est "
                                                              f"« {methode} »")
    pe = lec.dico(a["personnel"], f"{p}.personnel", ("part_personnel",), ("etp",))
    part_perso = lec.nombre(pe["part_personnel"], f"{p}.personnel.part_personnel", minimum=0, maximum=1)
    etp: dict[str, float] = {}
    if "etp" in pe:
        if not isinstance(pe["etp"], dict):
            raise lec.erreur(f"{p}.personnel.etp", "dictionnaire commune -> ETP attendu")
        for k, v in pe["etp"].items():
            ck = lec.commune(k, f"{p}.personnel.etp.{k}")
            if ck not in communes:
                raise lec.erreur(f"{p}.personnel.etp.{k}", f"commune {ck} absente de la liste des communes qui "
                                                           f"transfèrent")
            etp[ck] = lec.nombre(v, f"{p}.personnel.etp.{k}", minimum=0)
    ti = a.get("transfert_investissement", True)
    if not isinstance(ti, bool):
        raise lec.erreur(f"{p}.transfert_investissement", f"vrai/faux attendu, pas {ti!r}")
    return Transfert(competence=competence, fonction_m14=fonction, annee=annee, prorata=prorata,
                     communes=communes, part_fonction=part_fonction, annees_moyenne=int(n),
                     recettes_liees_pct=recettes, methode_equipement=methode, annees_moyenne_equipement=int(n_eq),
                     deduire_recettes_investissement=deduire,
                     inventaire=tuple(inventaire), part_personnel=part_perso, etp=etp,
                     transfert_investissement=ti)


def _lire_service(lec: _Lecteur, a: dict, p: str, reference: int, debut: int, fin: int) -> ServiceCommun:
    lec.dico(a, p, ("type", "nom", "date", "communes", "part_personnel", "cle_repartition",
                    "financement", "economies"), ("usage", "part_fonction_0", "fonctions_support"))
    nom = lec.texte(a["nom"], f"{p}.nom")
    annee, prorata = lec.annee_date(a["date"], f"{p}.date", debut, fin, reference)
    communes = lec.communes(a["communes"], f"{p}.communes")
    entites = communes + (SIREN_AGGLO,)
    if ("part_fonction_0" in a) == ("fonctions_support" in a):
        raise lec.erreur(p, "indiquer soit « fonctions_support » (table de collecte), soit « part_fonction_0 » "
                            "(part de la fonction M14 0), et un seul des deux")
    parts: dict[str, float] = {}
    fonctions: tuple[str, ...] = ()
    if "part_fonction_0" in a:
        parts = lec.parts_par_entite(a["part_fonction_0"], f"{p}.part_fonction_0", entites)
    else:
        fs = a["fonctions_support"]
        if not isinstance(fs, list) or not fs:
            raise lec.erreur(f"{p}.fonctions_support", f"liste non vide de fonctions support attendue, pas {fs!r}")
        for i, f in enumerate(fs):
            if f not in FONCTIONS_SUPPORT:
                raise lec.erreur(f"{p}.fonctions_support[{i}]", f"fonction support inconnue {f!r} (admises : "
                                                                 f"{', '.join(FONCTIONS_SUPPORT)})")
        fonctions = tuple(dict.fromkeys(fs))
    part_perso = lec.nombre(a["part_personnel"], f"{p}.part_personnel", minimum=0, maximum=1)
    if fonctions and part_perso == 0:
        raise lec.erreur(f"{p}.part_personnel", "part de personnel nulle impossible avec « fonctions_support » "
                                                "(le coût complet est le coût de personnel / part de personnel)")
    cle = lec.choix(a["cle_repartition"], f"{p}.cle_repartition", CLES_REPARTITION)
    usage: dict[str, float] = {}
    if cle == "usage":
        if not isinstance(a.get("usage"), dict):
            raise lec.erreur(f"{p}.usage", "clé « usage » obligatoire (entité -> unités d'œuvre) quand "
                                           "cle_repartition = usage")
        for k, v in a["usage"].items():
            ck = lec.entite(k, f"{p}.usage.{k}")
            if ck not in entites:
                raise lec.erreur(f"{p}.usage.{k}", f"entité {ck} ne participe pas au service commun")
            usage[ck] = lec.nombre(v, f"{p}.usage.{k}", minimum=0)
        manquantes = [e for e in entites if e not in usage]
        if manquantes:
            raise lec.erreur(f"{p}.usage", f"unités d'œuvre manquantes pour {manquantes}")
        if sum(usage.values()) == 0:
            raise lec.erreur(f"{p}.usage", "total des unités d'œuvre nul")
    elif "usage" in a:
        raise lec.erreur(f"{p}.usage", f"« usage » donné alors que cle_repartition = {cle}")
    financement = lec.choix(a["financement"], f"{p}.financement", FINANCEMENTS_SERVICE)
    ec = lec.dico(a["economies"], f"{p}.economies", ("etp", "a_partir_de"), ())
    economies = lec.nombre(ec["etp"], f"{p}.economies.etp", minimum=0)
    a_partir = lec.annee(ec["a_partir_de"], f"{p}.economies.a_partir_de", debut, fin)
    if a_partir < annee:
        raise lec.erreur(f"{p}.economies.a_partir_de", f"année {a_partir} antérieure à la création du service "
                                                       f"({annee})")
    return ServiceCommun(nom=nom, annee=annee, prorata=prorata, communes=communes, part_fonction_0=parts,
                         part_personnel=part_perso, cle_repartition=cle, usage=usage, financement=financement,
                         economies_etp=economies, economies_a_partir_de=a_partir, fonctions_support=fonctions)


def _lire_pacte(lec: _Lecteur, a: dict, p: str, reference: int, debut: int, fin: int) -> PacteFinancier:
    lec.dico(a, p, ("type", "date"), ("dsc", "taux"))
    annee, _prorata = lec.annee_date(a["date"], f"{p}.date", debut, fin, reference)
    montant = None
    indexation = 0.0
    criteres: dict[str, float] = {}
    if "dsc" in a:
        ds = lec.dico(a["dsc"], f"{p}.dsc", ("montant_keur", "criteres"), ("indexation",))
        montant = lec.nombre(ds["montant_keur"], f"{p}.dsc.montant_keur", minimum=0)
        indexation = lec.nombre(ds.get("indexation", 0.0), f"{p}.dsc.indexation", minimum=-0.5, maximum=0.5)
        cr = lec.dico(ds["criteres"], f"{p}.dsc.criteres", (), CRITERES_DSC)
        if not cr:
            raise lec.erreur(f"{p}.dsc.criteres", "au moins un critère de répartition attendu")
        criteres = {k: lec.nombre(v, f"{p}.dsc.criteres.{k}", minimum=0, maximum=1) for k, v in cr.items()}
        if abs(sum(criteres.values()) - 1.0) > 1e-9:
            raise lec.erreur(f"{p}.dsc.criteres", f"la somme des pondérations doit valoir 1 "
                                                  f"(somme = {sum(criteres.values())!r})")
    taux = []
    if "taux" in a:
        if not isinstance(a["taux"], list):
            raise lec.erreur(f"{p}.taux", "liste de variations de taux attendue")
        for i, tv in enumerate(a["taux"]):
            q = f"{p}.taux[{i}]"
            lec.dico(tv, q, ("entites", "annee", "variation"), ())
            if tv["entites"] == "communes":
                ents: tuple[str, ...] = CODES_INSEE
            elif isinstance(tv["entites"], list) and tv["entites"]:
                ents = tuple(lec.entite(e, f"{q}.entites[{j}]") for j, e in enumerate(tv["entites"]))
            else:
                raise lec.erreur(f"{q}.entites", "liste d'entités ou « communes » attendue")
            an = lec.annee(tv["annee"], f"{q}.annee", debut, fin)
            if an < annee:
                raise lec.erreur(f"{q}.annee", f"année {an} antérieure à la date du pacte ({annee})")
            taux.append(VariationTaux(entites=ents, annee=an,
                                      variation=lec.nombre(tv["variation"], f"{q}.variation", minimum=-0.5,
                                                           maximum=0.5)))
    if montant is None and not taux:
        raise lec.erreur(p, "un pacte financier doit contenir « dsc » ou « taux »")
    return PacteFinancier(annee=annee, dsc_montant_keur=montant, dsc_indexation=indexation, criteres=criteres,
                          taux=tuple(taux))


def domaines_competences(dossier: str | Path | None = None) -> dict[str, str]:
    """Policy areas of the sourced competence table: ``domaine`` -> ``fonction_m14`` (as text "0"…"9").

    Reads the processed table ``competences`` when it exists, else the real raw CSV
    (``data/raw/reel/competences/competences_agglo-orleans.csv``).
    """
    import pandas as pd

    from orleans_gov.base.catalogue import Catalogue

    cat = Catalogue.depuis(dossier)
    if cat.table("competences").exists():
        df = pd.read_parquet(cat.table("competences"))
        source = cat.table("competences")
    else:
        source = cat.competences
        df = pd.read_csv(source, dtype=str)
    for col in ("domaine", "fonction_m14"):
        if col not in df.columns:
            raise ErreurScenario(f"colonne « {col} » absente de la table des compétences", fichier=source)
    return {str(d): str(f).split(".")[0] for d, f in zip(df["domaine"], df["fonction_m14"])}
