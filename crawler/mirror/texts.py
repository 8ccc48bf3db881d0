"""Sentence banks of the mirror: original French text combined by the corpus generator.

Every sentence here was written for the mirror. A sentence tied to an event carries the month from which
it may appear (``"YYYY-MM"``), so an article never mentions what had not happened yet at its date.
Placeholders: ``{e}`` and ``{e2}`` are entities of the subject, ``{n}`` a small number, ``{p}`` a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    """One period of the cloud souverain story: its titles, leads and body sentences."""

    name: str
    since: str
    until: str
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    body: tuple[str, ...]
    tags: tuple[str, ...]


ERAS: tuple[Era, ...] = (
    Era(
        "projet", "2012-01", "2012-09",
        (
            "Andromède : le projet de cloud souverain se scinde en deux",
            "Cloud souverain : l'État prépare deux champions français",
            "Pourquoi la Caisse des dépôts mise sur un cloud souverain",
            "Le cloud souverain français naîtra à deux têtes",
            "Cloud à la française : les consortiums se mettent en place",
        ),
        (
            "Le projet Andromède, censé donner naissance à un cloud souverain français, prend un tour inattendu.",
            "Faute d'accord entre les industriels, l'État se résout à financer deux sociétés au lieu d'une seule.",
            "La Caisse des dépôts doit apporter une partie du capital au nom du programme des investissements d'avenir.",
            "D'un côté, Orange et Thales ; de l'autre, SFR et Bull : les deux attelages ne se ressemblent guère.",
        ),
        (
            "Le gouvernement veut offrir aux administrations et aux entreprises une alternative aux géants américains de l'informatique en nuage.",
            "L'idée d'un cloud souverain circule depuis plusieurs mois dans les ministères, portée par la crainte de voir les données sensibles partir outre-Atlantique.",
            "Les discussions entre Orange, SFR, Thales et Dassault Systèmes ont achoppé sur la gouvernance du futur ensemble.",
            "Dassault Systèmes, un temps associé au projet Andromède, a fini par se retirer des négociations.",
            "Chaque consortium devrait recevoir de la Caisse des dépôts une enveloppe d'environ 75 millions d'euros.",
            "Au total, l'État s'apprête donc à engager quelque 150 millions d'euros dans l'aventure.",
            "Les partisans du projet estiment qu'un hébergement sur le sol français protège mieux les données des entreprises.",
            "Les sceptiques jugent au contraire qu'il est déjà bien tard pour rattraper Amazon, Google ou Microsoft.",
            "Le calendrier prévoit un lancement commercial avant la fin de l'année.",
            "Le nom de Cloudwatt circule déjà pour désigner la structure montée autour d'Orange et de Thales.",
            "L'entité réunissant SFR et Bull devrait s'appeler Numergy.",
        ),
        ("Cloud souverain", "Andromède", "Caisse des dépôts", "Cloud"),
    ),
    Era(
        "lancement", "2012-09", "2013-12",
        (
            "Numergy et Cloudwatt lancent le cloud souverain français",
            "Cloudwatt ouvre ses premiers services aux entreprises",
            "Numergy promet un cloud « made in France » aux PME",
            "Cloud souverain : Numergy et Cloudwatt au coude-à-coude",
            "Numergy vise {n}00 millions d'euros de chiffre d'affaires d'ici 2016",
            "Cloudwatt recrute et ouvre un nouveau centre de données",
            "Le cloud souverain peut-il vraiment rivaliser avec Amazon ?",
        ),
        (
            "Numergy et Cloudwatt, les deux sociétés du cloud souverain, entrent dans le vif du sujet.",
            "Créées en 2012 avec l'appui de la Caisse des dépôts, les deux entreprises présentent leurs premières offres.",
            "Le cloud souverain à la française quitte le stade des annonces pour celui de la commercialisation.",
            "Cloudwatt, détenu par Orange, Thales et la Caisse des dépôts, dévoile son catalogue de services.",
            "Numergy, né de l'alliance de SFR, de Bull et de la Caisse des dépôts, affiche de grandes ambitions.",
        ),
        (
            "Numergy met en avant ses centres de données situés en France et un support entièrement francophone.",
            "Cloudwatt mise sur des technologies ouvertes, en particulier sur la plateforme OpenStack.",
            "Les deux sociétés ont chacune reçu 75 millions d'euros de la Caisse des dépôts, soit 150 millions d'euros au total.",
            "Le discours commercial insiste sur la localisation des données et sur le droit français applicable aux contrats.",
            "Les dirigeants de Numergy évoquent un objectif de {n}00 millions d'euros de chiffre d'affaires à moyen terme.",
            "Cloudwatt espère séduire les administrations, tenues de protéger leurs données les plus sensibles.",
            "Les premières offres visent surtout les machines virtuelles et le stockage en ligne pour les entreprises.",
            "Les tarifs annoncés restent supérieurs à ceux des acteurs américains, ce que les deux sociétés justifient par la sécurité.",
            "La concurrence entre les deux sociétés publiques étonne une partie des observateurs.",
            "Des hébergeurs français déjà installés, comme OVH, voient d'un mauvais œil ces concurrents subventionnés.",
            "Le ministère du Redressement productif présente le cloud souverain comme un pilier de sa politique industrielle.",
        ),
        ("Cloud souverain", "Numergy", "Cloudwatt", "Caisse des dépôts", "Cloud"),
    ),
    Era(
        "difficultes", "2013-09", "2015-02",
        (
            "Cloud souverain : les débuts difficiles de Numergy et Cloudwatt",
            "Cloudwatt change de patron après des résultats décevants",
            "Numergy revoit ses ambitions à la baisse",
            "Le cloud souverain français peine à trouver ses clients",
            "Cloudwatt et Numergy : faut-il fusionner les deux clouds publics ?",
            "Numergy ne réalise que {n} millions d'euros de chiffre d'affaires",
        ),
        (
            "Deux ans après leur création, Numergy et Cloudwatt sont loin de leurs objectifs.",
            "Le cloud souverain français traverse une période délicate.",
            "Les chiffres publiés par Numergy et Cloudwatt confirment ce que beaucoup redoutaient.",
            "Les clients tardent à se tourner vers les deux sociétés du cloud souverain.",
        ),
        (
            "Le chiffre d'affaires de Numergy se compte en quelques millions d'euros, bien loin des centaines de millions espérées.",
            "Cloudwatt a changé de direction et réorganisé ses équipes commerciales.",
            "La Caisse des dépôts s'interroge sur l'opportunité de maintenir deux structures concurrentes.",
            "Les actionnaires industriels, Orange et Thales d'un côté, SFR et Bull de l'autre, n'ont pas la même vision du projet.",
            "Les révélations sur la surveillance de masse ont relancé le débat sur la localisation des données, sans effet visible sur les ventes.",
            "Une fusion de Numergy et Cloudwatt est évoquée dans les couloirs de Bercy, mais aucun des deux camps n'y tient.",
            "Les hébergeurs historiques, au premier rang desquels OVH, continuent de gagner des parts de marché.",
            "Le modèle reposant sur des opérateurs télécoms semble mal adapté à un marché dominé par des acteurs du logiciel.",
            "Les pertes cumulées des deux sociétés dépassent déjà plusieurs dizaines de millions d'euros.",
            "Numergy affirme toutefois signer de nouveaux contrats avec des collectivités locales.",
        ),
        ("Cloud souverain", "Numergy", "Cloudwatt", "Cloud"),
    ),
    Era(
        "cloudwatt_orange", "2015-03", "2015-09",
        (
            "Orange s'empare de Cloudwatt, le cloud souverain tourne la page",
            "Cloudwatt passe sous le contrôle total d'Orange",
            "Fin de partie pour Cloudwatt, absorbé par Orange",
            "L'État se retire de Cloudwatt : que reste-t-il du cloud souverain ?",
        ),
        (
            "Orange rachète les parts de la Caisse des dépôts et de Thales dans Cloudwatt.",
            "Cloudwatt, l'une des deux sociétés du cloud souverain, devient une filiale à 100 % d'Orange.",
            "Le cloud souverain perd l'une de ses deux têtes : Cloudwatt est absorbé par Orange.",
        ),
        (
            "Orange détenait jusqu'ici {p} % du capital de Cloudwatt et en récupère désormais la totalité.",
            "Thales quitte l'aventure après avoir participé à la création de la société en 2012.",
            "La Caisse des dépôts sort du capital de Cloudwatt, ce qui marque un recul de l'État dans le dossier.",
            "Orange compte intégrer les services de Cloudwatt dans son offre destinée aux entreprises, Orange Business Services.",
            "Les équipes de Cloudwatt devraient être progressivement rapprochées de celles de l'opérateur.",
            "Numergy reste pour l'instant la seule société du cloud souverain où l'État conserve une participation.",
            "Le rachat de Cloudwatt par Orange a été finalisé en mars 2015.",
            "L'opération vient confirmer l'échec commercial d'une société qui n'a jamais trouvé son marché.",
        ),
        ("Cloud souverain", "Cloudwatt", "Orange", "Cloud"),
    ),
    Era(
        "numergy_sauvegarde", "2015-10", "2015-11",
        (
            "Numergy se place en procédure de sauvegarde",
            "Cloud souverain : Numergy demande la protection du tribunal",
            "Numergy en sauvegarde judiciaire, ses actionnaires se déchirent",
            "Numergy, dernier survivant du cloud souverain, vacille",
        ),
        (
            "Numergy a obtenu l'ouverture d'une procédure de sauvegarde auprès du tribunal de commerce.",
            "Le second pilier du cloud souverain français est en difficulté : Numergy se place sous la protection de la justice.",
            "Les actionnaires de Numergy ne parviennent plus à s'entendre sur l'avenir de la société.",
        ),
        (
            "La procédure de sauvegarde gèle les dettes de Numergy le temps de trouver une solution.",
            "SFR, désormais contrôlé par Altice, et Atos, qui a racheté Bull, ne partagent plus la même stratégie.",
            "La Caisse des dépôts détient un tiers du capital de Numergy.",
            "Numergy n'a réalisé que quelques millions d'euros de chiffre d'affaires en 2014, loin des objectifs initiaux.",
            "Le tribunal de commerce a désigné un mandataire chargé d'accompagner la société.",
            "Après l'absorption de Cloudwatt par Orange en mars, cette procédure sonne comme un nouvel échec pour le cloud souverain.",
            "Les clients de Numergy sont assurés que les services continueront de fonctionner pendant la procédure.",
            "Le modèle des deux sociétés concurrentes financées par l'État est désormais largement critiqué.",
        ),
        ("Cloud souverain", "Numergy", "SFR", "Cloud"),
    ),
    Era(
        "numergy_sfr", "2015-12", "2016-06",
        (
            "Numergy repris par SFR : le cloud souverain s'achève",
            "SFR rachète les parts de l'État et d'Atos dans Numergy",
            "Après Cloudwatt, Numergy est avalé par son actionnaire",
            "Le cloud souverain à la française, histoire d'un échec",
        ),
        (
            "SFR prend le contrôle total de Numergy en rachetant les parts de la Caisse des dépôts et d'Atos.",
            "Le cloud souverain français a vécu : après Cloudwatt, c'est au tour de Numergy d'être absorbé par un opérateur.",
            "Numergy, placé en procédure de sauvegarde en octobre, passe sous la coupe de SFR.",
        ),
        (
            "SFR récupère les 33 % détenus par la Caisse des dépôts ainsi que les 20 % d'Atos.",
            "La part d'Atos provenait de Bull, racheté par la société de services informatiques en 2014.",
            "L'opérateur assure qu'il maintiendra les services de Numergy et intégrera l'offre à son catalogue pour les entreprises.",
            "L'État se retire ainsi des deux projets dans lesquels il avait investi 150 millions d'euros.",
            "Orange avait déjà absorbé Cloudwatt en mars, après avoir racheté les parts de Thales et de la Caisse des dépôts.",
            "L'échec commercial est patent : Numergy visait des centaines de millions d'euros de chiffre d'affaires, il n'en a réalisé qu'une poignée.",
            "Les désaccords entre actionnaires se sont multipliés depuis le rachat de SFR par Altice.",
            "L'accord entre SFR et la Caisse des dépôts a été annoncé début décembre 2015.",
        ),
        ("Cloud souverain", "Numergy", "SFR", "Cloud"),
    ),
    Era(
        "bilan", "2016-07", "2019-12",
        (
            "Que reste-t-il du cloud souverain français ?",
            "Cloud souverain : les leçons de l'échec de Numergy et Cloudwatt",
            "SecNumCloud : l'ANSSI veut labelliser les prestataires de confiance",
            "Après Numergy et Cloudwatt, l'État change de méthode pour le cloud",
            "Hébergement des données publiques : la souveraineté revient dans le débat",
            "OVH, Outscale : le cloud français se construit sans l'État",
        ),
        (
            "Quelques années après la fin de Numergy et Cloudwatt, la question du cloud souverain n'a pas disparu.",
            "L'État, échaudé par l'échec de Numergy et de Cloudwatt, cherche une autre voie pour protéger les données sensibles.",
            "Le cloud souverain revient régulièrement dans le débat public, sous une forme différente.",
        ),
        (
            "Plutôt que de financer des entreprises, l'État mise désormais sur la certification des prestataires.",
            "L'échec de Numergy et Cloudwatt, qui avaient coûté 150 millions d'euros, reste dans toutes les mémoires.",
            "OVH, acteur français indépendant, a prospéré sans jamais recevoir l'argent du cloud souverain.",
            "Outscale, un autre acteur français de l'infrastructure en nuage, tente de séduire les grands comptes.",
            "Orange a conservé Cloudwatt au sein de sa branche dédiée aux entreprises.",
            "Numergy a été intégré aux offres de SFR Business, loin des ambitions affichées à sa création.",
            "Les administrations continuent pourtant de recourir aux services des géants américains.",
            "La question n'est plus seulement industrielle : elle touche désormais au droit applicable aux données.",
        ),
        ("Cloud souverain", "Numergy", "Cloudwatt", "Cloud"),
    ),
    Era(
        "cloudwatt_fin", "2019-08", "2020-06",
        (
            "Orange va fermer Cloudwatt, vestige du cloud souverain",
            "Cloudwatt fermera ses portes le 1er février 2020",
            "La fin de Cloudwatt tourne une page du cloud souverain",
        ),
        (
            "Orange a prévenu les clients de Cloudwatt : le service s'arrêtera au début de l'année 2020.",
            "Cloudwatt, né en 2012 pour incarner le cloud souverain, va disparaître.",
            "Sept ans après sa création, Cloudwatt s'éteint.",
        ),
        (
            "Les clients de Cloudwatt sont invités à migrer vers les autres offres d'Orange Business Services.",
            "Cloudwatt avait été créé en 2012 par Orange, Thales et la Caisse des dépôts.",
            "Orange avait absorbé la société en 2015, en rachetant les parts de ses partenaires.",
            "La fermeture de Cloudwatt intervient alors que la souveraineté numérique revient au cœur des discours politiques.",
            "Numergy, son ancien rival, avait été repris par SFR dès la fin de l'année 2015.",
            "L'opérateur préfère désormais s'appuyer sur ses propres plateformes et sur des partenariats.",
        ),
        ("Cloud souverain", "Cloudwatt", "Orange", "Cloud"),
    ),
    Era(
        "gaiax", "2020-06", "2026-12",
        (
            "Gaia-X : l'Europe veut reprendre la main sur le cloud",
            "Gaia-X, le projet européen de cloud souverain, prend forme",
            "Gaia-X peut-il éviter le sort de Numergy et Cloudwatt ?",
            "Gaia-X accueille des géants américains, la souveraineté en question",
            "Gaia-X : où en est le cloud européen ?",
        ),
        (
            "Gaia-X, le projet franco-allemand d'infrastructure de données, veut fixer des règles communes pour le cloud en Europe.",
            "Paris et Berlin portent Gaia-X, une initiative censée renforcer la souveraineté numérique européenne.",
            "Le projet Gaia-X suscite autant d'espoirs que de doutes.",
        ),
        (
            "Gaia-X n'est pas un fournisseur de cloud mais une association chargée de définir des standards.",
            "La présence d'acteurs américains parmi les membres de Gaia-X a suscité des critiques.",
            "OVHcloud figure parmi les membres fondateurs de Gaia-X.",
            "Beaucoup rappellent l'échec de Numergy et Cloudwatt, les deux sociétés du cloud souverain lancées en 2012.",
            "L'association basée à Bruxelles rassemble plusieurs centaines d'entreprises et d'organismes de recherche.",
            "Les défenseurs d'un cloud souverain craignent que Gaia-X se contente de labels sans portée réelle.",
            "Outscale, la filiale de Dassault Systèmes, participe également aux travaux de l'association.",
        ),
        ("Cloud souverain", "Gaia-X", "OVHcloud", "Cloud"),
    ),
    Era(
        "confiance", "2021-10", "2026-12",
        (
            "Cloud de confiance : l'État adoube Bleu et S3NS",
            "Bleu, le cloud d'Orange et Capgemini, veut décrocher SecNumCloud",
            "S3NS, la coentreprise de Thales et Google, obtient la qualification SecNumCloud",
            "Cloud de confiance : la doctrine du gouvernement fait débat",
            "SecNumCloud : OVHcloud et Outscale face aux offres hybrides",
            "Le cloud de confiance, nouvelle version du cloud souverain ?",
            "Bleu et S3NS : des technologies américaines sous pavillon français",
        ),
        (
            "La doctrine du cloud de confiance, présentée par le gouvernement en mai 2021, continue de faire parler d'elle.",
            "Bleu et S3NS incarnent la nouvelle approche française du cloud souverain.",
            "La qualification SecNumCloud de l'ANSSI est devenue le sésame des prestataires qui visent les administrations.",
            "Dix ans après Numergy et Cloudwatt, le cloud souverain change de visage.",
        ),
        (
            "Bleu, coentreprise d'Orange et de Capgemini, propose les services de Microsoft hébergés et opérés en France.",
            "S3NS, créée par Thales, s'appuie sur la technologie de Google Cloud.",
            "La qualification SecNumCloud, délivrée par l'ANSSI, impose des exigences techniques et juridiques strictes.",
            "Le référentiel SecNumCloud vise notamment à protéger les données des lois extraterritoriales comme le Cloud Act américain.",
            "OVHcloud et Outscale, filiale de Dassault Systèmes, défendent un cloud souverain sans dépendance à des technologies étrangères.",
            "Les critiques de la doctrine estiment qu'une licence de technologie américaine ne garantit pas une véritable autonomie.",
            "La circulaire impose aux administrations de privilégier des offres qualifiées pour leurs données sensibles.",
            "Les promoteurs du cloud de confiance rappellent que l'échec de Numergy et de Cloudwatt tenait en partie à un retard technologique.",
            "Le processus de qualification SecNumCloud prend souvent plus d'un an.",
            "Gaia-X, le projet européen, n'a pas encore produit les effets attendus sur le marché.",
        ),
        ("Cloud souverain", "SecNumCloud", "Cloud de confiance", "Bleu", "S3NS", "Cloud"),
    ),
)

TOPIC_BACKGROUND: tuple[tuple[str, str], ...] = (
    ("2012-09", "Pour mémoire, Numergy et Cloudwatt ont été créés en 2012 avec le soutien financier de la Caisse des dépôts."),
    ("2012-09", "Le cloud souverain devait permettre aux entreprises françaises de stocker leurs données sans dépendre des acteurs américains."),
    ("2012-09", "Cloudwatt associait Orange et Thales, tandis que Numergy réunissait SFR et Bull."),
    ("2012-09", "L'État avait engagé environ 150 millions d'euros dans les deux projets."),
    ("2014-06", "Bull, l'un des actionnaires de Numergy, est passé sous le contrôle d'Atos en 2014."),
    ("2015-03", "Orange a absorbé Cloudwatt en mars 2015, après avoir racheté les parts de ses partenaires."),
    ("2015-10", "En octobre 2015, Numergy s'était placé en procédure de sauvegarde."),
    ("2015-12", "SFR a repris la totalité de Numergy à la fin de l'année 2015."),
    ("2016-07", "L'ANSSI a mis en place le référentiel SecNumCloud pour qualifier les prestataires de cloud de confiance."),
    ("2018-03", "Le Cloud Act américain permet aux autorités des États-Unis de réclamer des données stockées à l'étranger par des entreprises américaines."),
    ("2019-10", "OVHcloud, le nouveau nom d'OVH, se présente comme le champion européen du secteur."),
    ("2020-06", "Le projet européen Gaia-X entend définir des règles communes de confiance pour le cloud."),
    ("2021-05", "La doctrine du cloud de confiance, présentée en mai 2021, autorise des offres associant technologie américaine et opérateur français."),
    ("2021-05", "Bleu associe Orange et Capgemini autour de la technologie de Microsoft."),
    ("2021-10", "S3NS est la coentreprise montée par Thales avec Google Cloud."),
)

TOPIC_ANALYSIS: tuple[str, ...] = (
    "Pour les entreprises françaises, la question de la souveraineté des données reste entière.",
    "Les directions informatiques arbitrent souvent entre le prix, les fonctionnalités et la localisation des serveurs.",
    "La dépendance aux fournisseurs américains d'informatique en nuage inquiète une partie des élus.",
    "Reste à savoir si les pouvoirs publics tireront les leçons des tentatives précédentes.",
    "Dans les ministères, on assure que la protection des données sensibles est une priorité.",
    "Les acteurs français du cloud réclament une commande publique plus favorable à leurs offres.",
    "La souveraineté numérique est devenue un thème récurrent des discours officiels.",
    "Le marché de l'hébergement des données reste largement dominé par Amazon, Microsoft et Google.",
    "Les clients publics, collectivités et hôpitaux en tête, sont particulièrement concernés.",
    "Les spécialistes du secteur rappellent qu'un cloud souverain suppose aussi des compétences et des logiciels maîtrisés.",
    "Les parlementaires ont consacré plusieurs rapports à la question de l'hébergement des données publiques.",
    "Le débat oppose souvent ceux qui privilégient l'efficacité et ceux qui placent la protection juridique au premier plan.",
)


@dataclass(frozen=True)
class Subject:
    """An off-topic subject: where it is filed, its tags, entities, titles and sentences."""

    name: str
    numerama_section: str
    clubic_section: str
    tags: tuple[str, ...]
    entities: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


SUBJECTS: tuple[Subject, ...] = (
    Subject(
        "smartphones", "tech", "telephone-portable",
        ("Smartphone", "Android", "iPhone", "Test"),
        ("Samsung", "Apple", "Xiaomi", "Google", "OnePlus", "Huawei", "Sony", "Motorola"),
        (
            "{e} dévoile son nouveau smartphone haut de gamme",
            "Le prochain smartphone de {e} se montre en photo",
            "{e} baisse le prix de ses smartphones en France",
            "Smartphone : {e} mise tout sur la photo",
            "Ce que l'on sait du futur téléphone de {e}",
            "{e} promet {n} ans de mises à jour pour ses smartphones",
        ),
        (
            "{e} a présenté son nouveau modèle lors d'une conférence retransmise en direct.",
            "L'écran de {n} pouces affiche une luminosité nettement supérieure à celle de la génération précédente.",
            "Le module photo principal profite d'un capteur plus grand, censé améliorer les clichés de nuit.",
            "L'autonomie reste le point noir relevé par les premiers testeurs.",
            "La recharge rapide permet de récupérer la moitié de la batterie en une vingtaine de minutes.",
            "Le prix de lancement dépasse les {n}00 euros, un tarif qui place l'appareil face aux meilleurs modèles de {e2}.",
            "Le processeur gravé plus finement promet des gains de performance et une meilleure efficacité énergétique.",
            "{e} assure que son interface a été allégée pour gagner en fluidité.",
            "Les précommandes ouvrent dès aujourd'hui, pour des livraisons attendues dans quelques semaines.",
            "Les ventes de smartphones stagnent en Europe, ce qui pousse les fabricants à multiplier les promotions.",
            "La concurrence de {e2} sur le milieu de gamme reste féroce.",
            "Le constructeur n'a pas précisé la durée du suivi logiciel pour l'ensemble de sa gamme.",
            "La coque en verre dépoli limite les traces de doigts, un détail apprécié au quotidien.",
            "Les coloris proposés varient selon les marchés.",
        ),
    ),
    Subject(
        "jeux", "pop-culture", "jeux-video",
        ("Jeux vidéo", "Console", "PlayStation", "Nintendo"),
        ("Nintendo", "Sony", "Microsoft", "Ubisoft", "Valve", "Blizzard", "Capcom", "Bandai Namco"),
        (
            "{e} annonce la date de sortie de son prochain jeu",
            "Le nouveau jeu de {e} se dévoile dans une longue bande-annonce",
            "{e} repousse la sortie de son titre phare",
            "Nous avons joué au prochain jeu de {e}",
            "{e} dévoile les chiffres de vente de sa console",
            "Le catalogue de {e} s'enrichit de {n} nouveaux titres",
        ),
        (
            "{e} a profité d'un événement en ligne pour dévoiler de nouvelles images de son jeu.",
            "La sortie est prévue sur consoles et sur PC, avec une version optimisée pour les machines récentes.",
            "Les joueurs pourront explorer un monde ouvert nettement plus vaste que celui du précédent épisode.",
            "Le studio promet un mode multijoueur gratuit pendant les premières semaines.",
            "La bande-annonce a été vue plusieurs millions de fois en quelques heures.",
            "Le report a été justifié par la volonté de peaufiner le jeu et de corriger les derniers bugs.",
            "Les ventes de la console dépassent désormais {n}0 millions d'unités dans le monde.",
            "{e2} prépare de son côté une riposte pour les fêtes de fin d'année.",
            "Le prix standard des jeux a nettement augmenté ces dernières années, au grand dam des joueurs.",
            "La direction artistique, très colorée, tranche avec les productions habituelles du studio.",
            "Les premières impressions de la presse spécialisée sont plutôt positives.",
            "Le jeu sera doublé en français et proposera plusieurs niveaux de difficulté.",
            "Un contenu téléchargeable est déjà annoncé pour l'année suivante.",
        ),
    ),
    Subject(
        "espace", "sciences", "sciences/espace",
        ("Espace", "Astronomie", "NASA", "SpaceX"),
        ("la NASA", "SpaceX", "l'ESA", "le CNES", "Arianespace", "Blue Origin", "la JAXA"),
        (
            "Mars : {e} dévoile de nouvelles images spectaculaires",
            "{e} prépare un lancement décisif",
            "Une fusée de {e} réussit son vol d'essai",
            "Ce que {e} a découvert sur la Lune",
            "{e} repousse sa prochaine mission",
            "Une comète visible à l'œil nu dans {n} jours",
        ),
        (
            "Le lancement est programmé depuis la base de Kourou, en Guyane, si la météo le permet.",
            "La mission doit durer {n} ans et collecter des données inédites sur l'atmosphère martienne.",
            "Les images transmises par la sonde révèlent des détails jamais observés jusqu'ici.",
            "{e} a confirmé le report de quelques jours après la détection d'une anomalie sur un capteur.",
            "Le premier étage de la fusée a été récupéré avec succès, une opération devenue presque routinière.",
            "Les astronomes amateurs pourront observer le phénomène depuis la France métropolitaine.",
            "Le coût total du programme dépasse plusieurs milliards de dollars.",
            "{e2} collabore à la mission en fournissant un instrument scientifique.",
            "Les chercheurs espèrent mieux comprendre la formation du Système solaire.",
            "L'équipage passera plusieurs mois à bord de la Station spatiale internationale.",
            "La capsule a amerri au large des côtes, comme prévu.",
            "Les données seront rendues publiques après une période d'analyse par les équipes scientifiques.",
            "Le télescope spatial a pointé son miroir vers une région riche en étoiles jeunes.",
        ),
    ),
    Subject(
        "voitures", "vroom", "mag/transports/voiture-electrique",
        ("Voiture électrique", "Tesla", "Mobilité", "Batterie"),
        ("Tesla", "Renault", "Peugeot", "Volkswagen", "BYD", "Hyundai", "Kia", "Volvo"),
        (
            "{e} présente une voiture électrique à moins de {n}0 000 euros",
            "Autonomie, prix : tout savoir sur la nouvelle électrique de {e}",
            "{e} ouvre son réseau de recharge à toutes les voitures",
            "Nous avons conduit la nouvelle voiture électrique de {e}",
            "Bonus écologique : la voiture de {e} reste éligible",
            "{e} rappelle {n}0 000 voitures pour un problème logiciel",
        ),
        (
            "L'autonomie annoncée dépasse les {n}00 kilomètres selon le cycle d'homologation européen.",
            "La batterie peut être rechargée de 10 à 80 % en une trentaine de minutes sur une borne rapide.",
            "{e} a misé sur une plateforme inédite, conçue dès l'origine pour l'électrique.",
            "Le prix d'entrée reste élevé, même après déduction du bonus écologique.",
            "Les premières livraisons sont attendues au printemps.",
            "Le réseau de bornes de recharge continue de s'étoffer sur les autoroutes françaises.",
            "{e2} prépare de son côté un modèle concurrent pour la même catégorie.",
            "La mise à jour à distance doit corriger le défaut sans passage en concession.",
            "L'habitacle mise sur un grand écran central et une sellerie en matériaux recyclés.",
            "Les ventes de voitures électriques progressent en France, portées par les aides publiques.",
            "La consommation mesurée lors de notre essai reste raisonnable sur autoroute.",
            "Le constructeur promet une garantie de huit ans sur la batterie.",
        ),
    ),
    Subject(
        "ia", "tech", "technologies-d-avenir/intelligence-artificielle",
        ("Intelligence artificielle", "ChatGPT", "OpenAI", "Recherche"),
        ("OpenAI", "Google", "Meta", "Mistral AI", "Anthropic", "DeepMind", "Microsoft"),
        (
            "{e} dévoile un nouveau modèle d'intelligence artificielle",
            "Intelligence artificielle : {e} promet des réponses plus fiables",
            "{e} lève {n}00 millions d'euros pour son IA",
            "Ce que change le nouvel assistant de {e}",
            "L'IA de {e} bat un nouveau record",
            "Les chercheurs de {e} publient une étude remarquée",
        ),
        (
            "{e} affirme que son modèle fait mieux que ses concurrents sur plusieurs tests de référence.",
            "Les chercheurs ont entraîné le système sur une quantité de textes considérable.",
            "L'assistant sait désormais résumer des documents longs et répondre à des questions précises.",
            "Les erreurs factuelles restent fréquentes, reconnaissent les équipes de {e}.",
            "La puissance de calcul nécessaire à l'entraînement soulève des questions environnementales.",
            "{e2} devrait présenter sa propre réponse dans les prochaines semaines.",
            "Le règlement européen sur l'intelligence artificielle impose de nouvelles obligations de transparence.",
            "La version gratuite de l'outil sera limitée à un certain nombre de requêtes par jour.",
            "Des artistes dénoncent l'utilisation de leurs œuvres pour entraîner ces modèles.",
            "Les usages professionnels se multiplient, de la traduction à l'aide à la programmation.",
            "Les investisseurs continuent de parier massivement sur le secteur.",
            "Le modèle a été publié sous une licence permettant sa réutilisation par d'autres chercheurs.",
        ),
    ),
    Subject(
        "telecoms", "tech", "telephone-portable/operateur-telephonie-mobile",
        ("Télécoms", "Fibre optique", "5G", "Forfait mobile"),
        ("Free", "Bouygues Telecom", "Free Mobile", "Sosh", "Prixtel", "Coriolis"),
        (
            "Fibre optique : {e} accélère ses déploiements",
            "{e} lance un nouveau forfait mobile à {n},99 euros",
            "5G : {e} annonce {n} 000 nouveaux sites",
            "L'Arcep épingle les opérateurs sur la qualité du réseau",
            "Box internet : {e} augmente ses tarifs",
            "Panne géante chez {e} : ce que l'on sait",
        ),
        (
            "{e} revendique désormais plusieurs millions de foyers raccordables à la fibre optique.",
            "Le nouveau forfait comprend une enveloppe de données confortable et les appels illimités.",
            "L'Arcep publie chaque année une enquête sur la qualité des services mobiles.",
            "La couverture des zones rurales progresse, mais des zones blanches subsistent.",
            "La hausse de tarif concerne les abonnés les plus anciens, qui peuvent résilier sans frais.",
            "{e2} a immédiatement réagi en lançant une offre concurrente.",
            "La panne a privé des milliers d'abonnés de connexion pendant plusieurs heures.",
            "Les antennes 5G se multiplient dans les grandes villes.",
            "La guerre des prix entre opérateurs semble repartir de plus belle.",
            "Le régulateur rappelle que les débits annoncés doivent être réalistes.",
            "Les box de nouvelle génération intègrent le Wi-Fi 7 et un stockage réseau.",
            "L'opérateur promet d'indemniser les clients touchés par l'incident.",
        ),
    ),
    Subject(
        "cyber", "cyberguerre", "antivirus-securite-informatique",
        ("Cybersécurité", "Ransomware", "Piratage", "Fuite de données"),
        ("Microsoft", "Proton", "Kaspersky", "Fortinet", "Cisco", "Ivanti"),
        (
            "Une fuite de données touche {n} millions de clients",
            "Ransomware : {e} alerte sur une nouvelle vague d'attaques",
            "Une faille critique découverte dans un logiciel de {e}",
            "Hameçonnage : une nouvelle campagne vise les contribuables",
            "{e} publie un correctif d'urgence",
            "Un hôpital paralysé par une cyberattaque",
        ),
        (
            "Les pirates ont mis la main sur des noms, des adresses et des numéros de téléphone.",
            "L'entreprise affirme avoir prévenu la CNIL dans les délais légaux.",
            "Le rançongiciel chiffre les fichiers des victimes avant de réclamer une rançon en cryptomonnaie.",
            "Europol a coordonné l'opération avec les polices de {n} pays.",
            "La faille permettait d'exécuter du code à distance sans aucune interaction de l'utilisateur.",
            "Les utilisateurs sont invités à installer le correctif au plus vite.",
            "Les messages frauduleux imitent à la perfection les courriels officiels.",
            "{e2} a publié une analyse technique détaillée de l'attaque.",
            "Les services de l'hôpital ont dû revenir au papier pendant plusieurs jours.",
            "Les experts recommandent d'activer l'authentification à deux facteurs.",
            "Le groupe criminel revendique l'attaque sur son site vitrine.",
            "Les autorités déconseillent fermement de payer la rançon.",
        ),
    ),
    Subject(
        "materiel", "tech", "materiel-informatique",
        ("PC portable", "Processeur", "Carte graphique", "Test"),
        ("Intel", "AMD", "Nvidia", "Apple", "Lenovo", "Asus", "Dell", "HP"),
        (
            "{e} lance ses nouveaux processeurs pour PC portables",
            "Carte graphique : {e} cale la sortie de sa nouvelle gamme",
            "Test du nouveau portable de {e} : une autonomie record ?",
            "{e} annonce des puces plus rapides de {p} %",
            "Pénurie de mémoire : les prix des PC s'envolent",
            "{e} dévoile un ordinateur ultrafin",
        ),
        (
            "{e} annonce un gain de performances de {p} % par rapport à la génération précédente.",
            "La nouvelle architecture améliore surtout l'efficacité énergétique.",
            "Les premiers ordinateurs équipés arriveront en magasin dans quelques semaines.",
            "Le prix de la carte graphique haut de gamme dépasse désormais le millier d'euros.",
            "{e2} prépare sa riposte avec une gamme concurrente attendue avant l'été.",
            "L'écran OLED du portable offre des noirs profonds et des couleurs éclatantes.",
            "Le châssis en aluminium pèse à peine plus d'un kilogramme.",
            "Les tests de performances montrent un net progrès dans les jeux récents.",
            "La hausse du prix de la mémoire vive se répercute sur le tarif des machines.",
            "Le refroidissement reste discret, même lors des tâches les plus lourdes.",
            "Le clavier rétroéclairé et le pavé tactile généreux rendent l'usage agréable.",
            "La connectique comprend deux ports USB-C et une sortie HDMI.",
        ),
    ),
)

GENERIC: tuple[str, ...] = (
    "L'annonce n'a pas manqué de faire réagir sur les réseaux sociaux.",
    "Contactée, l'entreprise n'a pas souhaité commenter davantage.",
    "Il faudra attendre les prochains mois pour mesurer l'impact réel de cette décision.",
    "Les analystes restent partagés sur les perspectives à long terme.",
    "Le calendrier pourrait encore évoluer d'ici la fin de l'année.",
    "Nous mettrons cet article à jour dès que de nouvelles informations seront disponibles.",
    "Ce n'est pas la première fois que le sujet revient sur le devant de la scène.",
    "Les détails complets seront dévoilés lors d'une présentation prévue dans quelques semaines.",
    "Plusieurs associations de consommateurs ont fait part de leurs réserves.",
    "Le marché français reste l'un des plus concurrentiels d'Europe.",
    "Les chiffres communiqués n'ont pas pu être vérifiés de manière indépendante.",
    "D'autres acteurs du secteur devraient suivre le mouvement.",
    "La question du prix reste centrale pour une large partie du public.",
    "Les premiers retours des utilisateurs seront déterminants.",
    "Sur le papier, la proposition a de quoi séduire, mais le diable se cache souvent dans les détails.",
    "Le sujet divise jusque dans les rangs des spécialistes, qui n'en tirent pas les mêmes conclusions.",
    "Plusieurs sources proches du dossier évoquent un changement de stratégie plus profond qu'il n'y paraît.",
    "Les précédentes annonces du même genre n'avaient pas toutes tenu leurs promesses.",
    "La communication officielle reste pour l'instant très prudente sur les échéances.",
    "Les concurrents observent attentivement la manière dont le public accueillera cette nouveauté.",
    "Une partie des utilisateurs s'interroge déjà sur le prix qu'il faudra payer à terme.",
    "Les autorités de régulation pourraient se pencher sur la question dans les prochains mois.",
    "Le contexte économique, marqué par l'inflation, pèse sur les décisions d'achat des ménages.",
    "Rien ne dit encore que le succès sera au rendez-vous, même si les signaux sont encourageants.",
)

DECOYS: tuple[tuple[str, str], ...] = (
    ("2012-01", "Les données des utilisateurs sont hébergées chez OVH, à Roubaix, précise l'entreprise."),
    ("2012-09", "En marge de la présentation, un responsable a glissé que le cloud souverain n'était pas une priorité de l'entreprise."),
    ("2013-01", "L'ancien directeur commercial de Numergy a rejoint l'équipe dirigeante l'an dernier."),
    ("2015-03", "Orange, qui a repris Cloudwatt, n'est pas associé à cette annonce."),
    ("2017-06", "Parmi les partenaires de l'événement figurait Outscale, filiale de Dassault Systèmes."),
    ("2017-06", "Le prestataire retenu pour l'hébergement affiche une qualification SecNumCloud, détail mentionné en une ligne du communiqué."),
    ("2019-10", "Le service s'appuie sur des serveurs loués à OVHcloud, mais l'essentiel se joue ailleurs."),
    ("2020-06", "Le sujet n'a rien à voir avec Gaia-X, le projet européen évoqué à la même tribune."),
    ("2021-05", "Le ministre a cité au passage la doctrine du cloud de confiance, sans s'y attarder."),
    ("2021-10", "Thales, par ailleurs actionnaire de S3NS, fournit une partie de l'électronique embarquée."),
)


@dataclass(frozen=True)
class Homonym:
    """A subject where "souverain" (or Gaia) means something with no cloud in it."""

    name: str
    since: str
    numerama_section: str
    clubic_section: str
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


HOMONYMS: tuple[Homonym, ...] = (
    Homonym(
        "pape", "2012-01", "politique", "internet/reseaux-sociaux",
        ("Vatican", "Réseaux sociaux"),
        (
            "Le souverain pontife ouvre un nouveau compte sur les réseaux sociaux",
            "Le Vatican numérise ses archives, le souverain pontife s'en félicite",
            "Le message du souverain pontife sur l'intelligence artificielle",
        ),
        (
            "Le souverain pontife a publié son premier message en plusieurs langues.",
            "Le Vatican compte désormais plusieurs millions d'abonnés sur ses différents comptes.",
            "Les équipes de communication du Saint-Siège gèrent les publications au quotidien.",
            "Le pape a appelé les fidèles à faire un usage raisonné des écrans.",
            "La bibliothèque apostolique numérise ses manuscrits les plus fragiles.",
            "Le souverain pontife a évoqué les dangers de la désinformation lors de son allocution.",
            "Les images de la cérémonie ont été diffusées en direct sur internet.",
            "Plusieurs évêques ont salué une initiative jugée moderne.",
            "Les manuscrits numérisés seront consultables gratuitement en ligne.",
            "Le texte insiste sur la dignité humaine face aux technologies.",
        ),
    ),
    Homonym(
        "fonds", "2012-01", "business", "pro/actualite-economie",
        ("Levée de fonds", "Startup", "Investissement"),
        (
            "Un fonds souverain investit {n}00 millions dans une start-up française",
            "Le fonds souverain norvégien réduit ses positions dans la tech",
            "Fonds souverain : le Qatar mise sur les jeux vidéo",
        ),
        (
            "Le fonds souverain gère plusieurs centaines de milliards de dollars d'actifs.",
            "L'investissement valorise la jeune pousse à plus d'un milliard d'euros.",
            "Les fonds souverains du Golfe multiplient les prises de participation dans les entreprises technologiques.",
            "Le fonds souverain norvégien, alimenté par les revenus pétroliers, publie chaque année la liste de ses participations.",
            "La start-up compte utiliser cet argent pour recruter et s'étendre à l'international.",
            "Les dirigeants se disent ravis d'accueillir un actionnaire de long terme.",
            "Ce type d'investisseur ne réclame généralement pas de siège au conseil d'administration.",
            "Les montants levés par les start-up françaises ont reculé l'an dernier.",
            "Le tour de table comprend aussi plusieurs fonds de capital-risque européens.",
            "Le fonds a réduit son exposition au secteur après une année de fortes hausses.",
        ),
    ),
    Homonym(
        "dette", "2012-01", "politique", "pro/actualite-economie",
        ("Économie", "Finance", "Europe"),
        (
            "Dette souveraine : les marchés s'inquiètent pour l'Europe",
            "La crise de la dette souveraine frappe aussi les valeurs technologiques",
            "Dette souveraine : une agence de notation dégrade la France",
        ),
        (
            "La crise de la dette souveraine pèse sur les marchés européens.",
            "Les taux d'emprunt des États les plus endettés ont fortement progressé.",
            "Une agence de notation a abaissé la note de la dette souveraine française.",
            "Les valeurs technologiques ont reculé dans le sillage des banques.",
            "Les investisseurs se reportent vers des placements jugés plus sûrs.",
            "La Banque centrale européenne surveille de près l'écart entre les taux des différents pays.",
            "Le gouvernement assure que la trajectoire des finances publiques sera tenue.",
            "Les économistes redoutent un ralentissement de l'investissement des entreprises.",
            "Les start-up ont plus de mal à lever des fonds lorsque les marchés sont nerveux.",
            "Le ministre de l'Économie a minimisé la portée de la décision.",
        ),
    ),
    Homonym(
        "remede", "2012-01", "sciences", "mag/sante",
        ("Santé", "Sommeil", "Applications"),
        (
            "Le sommeil, remède souverain contre la fatigue numérique ?",
            "Marcher {n}0 minutes par jour, un remède souverain selon une étude",
            "Ces applications qui promettent un remède souverain au stress",
        ),
        (
            "Les chercheurs présentent le sommeil comme un remède souverain contre la fatigue.",
            "L'exposition aux écrans avant le coucher retarde l'endormissement.",
            "L'étude a suivi plusieurs milliers de participants pendant {n} ans.",
            "Les applications de méditation revendiquent des millions d'utilisateurs.",
            "Les médecins rappellent qu'aucune application ne remplace un avis médical.",
            "Une activité physique régulière améliore la qualité du sommeil.",
            "Les montres connectées mesurent le sommeil avec une précision variable.",
            "Les auteurs de l'étude appellent à la prudence dans l'interprétation des résultats.",
            "La lumière bleue des écrans est souvent pointée du doigt.",
            "Il n'existe pas de remède souverain, mais des habitudes qui aident.",
        ),
    ),
    Homonym(
        "peuple", "2012-01", "politique", "internet/politique-numerique",
        ("Démocratie", "Vote électronique", "Politique"),
        (
            "Vote électronique : le peuple souverain doit-il voter en ligne ?",
            "Pétitions en ligne : quand le peuple souverain s'invite au Parlement",
            "Référendum : la consultation en ligne fait débat",
        ),
        (
            "Pour ses partisans, le vote en ligne rapprocherait le peuple souverain de ses élus.",
            "Les experts en sécurité informatique restent très réservés sur le vote par internet.",
            "Une pétition en ligne a dépassé le seuil nécessaire pour être examinée par les parlementaires.",
            "Le Conseil constitutionnel rappelle que le secret du vote doit être garanti.",
            "Le taux d'abstention reste élevé chez les jeunes électeurs.",
            "Plusieurs pays ont abandonné le vote électronique après des incidents.",
            "La plateforme de consultation a reçu des dizaines de milliers de contributions.",
            "Les élus se disent attentifs à ces nouvelles formes de participation.",
            "Le peuple souverain s'exprime par le vote, rappellent les constitutionnalistes.",
            "Le débat devrait se poursuivre lors de l'examen du texte au Sénat.",
        ),
    ),
    Homonym(
        "gaia", "2014-01", "sciences", "sciences/espace",
        ("Espace", "ESA", "Astronomie"),
        (
            "Le télescope Gaia cartographie {n} milliard d'étoiles",
            "Gaia : l'ESA publie une nouvelle carte de la Voie lactée",
            "La mission Gaia de l'ESA livre ses secrets",
        ),
        (
            "Le télescope spatial Gaia de l'Agence spatiale européenne mesure la position des étoiles avec une précision inédite.",
            "La nouvelle publication de données de Gaia concerne plus d'un milliard d'étoiles.",
            "Les astronomes utilisent ces mesures pour reconstituer l'histoire de notre galaxie.",
            "Gaia observe le ciel depuis un point situé à 1,5 million de kilomètres de la Terre.",
            "Les données sont accessibles gratuitement aux chercheurs du monde entier.",
            "La mission a aussi permis de découvrir des milliers d'astéroïdes.",
            "L'ESA a lancé Gaia depuis Kourou à bord d'une fusée Soyouz.",
            "Les équipes de plusieurs laboratoires français participent au traitement des données.",
            "La carte en trois dimensions de la Voie lactée gagne en précision à chaque publication.",
            "Les scientifiques ont identifié des étoiles venues d'une galaxie absorbée il y a des milliards d'années.",
        ),
    ),
)

NUMERAMA_AUTHORS: tuple[tuple[str, str], ...] = (
    ("Camille Mercier", "camillem"), ("Hugo Lemaire", "hugol"), ("Inès Garnier", "inesg"),
    ("Maxime Rolland", "maximer"), ("Sarah Benali", "sarahb"), ("Antoine Vidal", "antoinev"),
    ("Léa Fontaine", "leaf"), ("Nicolas Perrin", "nicolasp"),
)
CLUBIC_AUTHORS: tuple[tuple[str, str], ...] = (
    ("Julie Marchand", "1102"), ("Romain Chevalier", "1187"), ("Damien Lefort", "1315"),
    ("Aurélie Masson", "1422"), ("Bastien Royer", "1530"), ("Claire Dumas", "1647"),
    ("Yann Caron", "1759"), ("Élodie Picard", "1861"),
)

COMMENTS: tuple[tuple[str, str], ...] = (
    ("Pixel_78", "Merci pour l'article, très clair."),
    ("jlb33", "On attend de voir sur la durée, les annonces c'est toujours facile."),
    ("Kraken", "Toujours la même histoire, on en reparlera dans deux ans."),
    ("MissTech", "Quelqu'un a un retour concret là-dessus ?"),
    ("vieux_geek", "J'ai connu l'époque où tout ça tenait sur une disquette…"),
    ("Nono_du_59", "Article intéressant, mais il manque les prix."),
    ("pseudo42", "Et la concurrence dans tout ça ?"),
    ("Sylvain_R", "Bonne nouvelle, enfin."),
)
