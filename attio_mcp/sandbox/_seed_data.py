"""Raw tables of the demo workspace: companies, people, deals, workspaces, users, projects.

Tables are pipe-separated text (one row a line) parsed at import, which keeps them compact and readable.
"""

from __future__ import annotations

__all__ = ["COMPANIES", "DEAL_PLAN", "FIRST_NAMES", "JOB_TITLES", "LAST_NAMES", "PROJECTS", "WORKSPACES"]


def _rows(table: str) -> list[list[str]]:
    """Split a table into cells; a line ending in ``|`` continues on the next line."""
    joined = table.strip().replace("|\n", "| ")
    return [[cell.strip() for cell in line.split("|")] for line in joined.splitlines()]


# name | domain | industry | categories (comma list) | employees | lead status | source | location
_COMPANIES = """
Acme Inc | acme.com | Manufacturing | B2B, Hardware | 1200 | Qualified | Referral |
    1 Main St, Springfield, IL, 62701, US
Northwind Technologies | northwindtech.com | Technology | B2B, SaaS, Enterprise | 850 | Qualified |
    Inbound Form | Seattle, WA, US
Brightwave Tech | brightwavetech.io | Technology | SaaS, AI | 120 | Contacted | Outbound |
    Austin, TX 78701, US
TechNova Systems | technova.com | Technology | B2B, Security | 430 | Qualified | Event | Boston, MA, US
Vertex Tech Labs | vertextechlabs.com | Technology | AI, Analytics | 75 | Unqualified | Inbound Form |
    Denver, CO, US
Bluefin Technologies | bluefintech.com | Finance | Fintech, SaaS | 310 | Contacted | Partner |
    New York, NY, US
Helio Tech | heliotech.co | Energy | Hardware, B2B | 220 | Qualified | Outbound | Phoenix, AZ, US
Globex Corporation | globex.com | Manufacturing | Enterprise, B2B | 5400 | Qualified | Referral |
    Chicago, IL, US
Initech | initech.com | Technology | B2B, SaaS | 640 | Contacted | Outbound | Dallas, TX, US
Umbrella Health | umbrellahealth.com | Healthcare | Healthtech, Enterprise | 2300 | Qualified | Event |
    Philadelphia, PA, US
Stark Logistics | starklogistics.com | Logistics | B2B, Marketplace | 980 | Unqualified | Website |
    Memphis, TN, US
Wayne Financial | waynefinancial.com | Finance | Fintech, Enterprise | 3100 | Qualified | Referral |
    Newark, NJ, US
Pied Piper | piedpiper.com | Technology | SaaS, AI | 45 | Contacted | Inbound Form | Palo Alto, CA, US
Hooli | hooli.com | Technology | B2C, Enterprise, AI | 12000 | Disqualified | Outbound | Mountain View, CA, US
Cyberdyne Robotics | cyberdyne.io | Manufacturing | Hardware, AI | 760 | Qualified | Partner |
    San Jose, CA, US
Soylent Foods | soylentfoods.com | Retail | B2C, E-commerce | 410 | Unqualified | Website | Portland, OR, US
Oceanic Media Group | oceanicmedia.com | Media | B2C | 520 | Contacted | Event | Los Angeles, CA, US
Gringotts Capital | gringottscapital.co.uk | Finance | Fintech | 260 | Qualified | Referral | London, GB
Lakeside Learning | lakesidelearning.org | Education | B2C, SaaS | 150 | Contacted | Inbound Form |
    Minneapolis, MN, US
Summit Retail Partners | summitretail.com | Retail | E-commerce, Marketplace | 1900 | Unqualified |
    Outbound | Atlanta, GA, US
Evergreen Energy | evergreenenergy.com | Energy | B2B, Enterprise | 2750 | Qualified | Event | Houston, TX, US
Quantum Ledger | quantumledger.io | Finance | Fintech, Security | 88 | Contacted | Inbound Form |
    Miami, FL, US
Redwood Analytics | redwoodanalytics.com | Technology | Analytics, SaaS | 190 | Qualified | Partner |
    San Francisco, CA, US
Harbor Health Partners | harborhealth.com | Healthcare | Healthtech | 640 | Unqualified | Website |
    Baltimore, MD, US
Ironclad Manufacturing | ironcladmfg.com | Manufacturing | B2B, Hardware | 3300 | Contacted | Outbound |
    Detroit, MI, US
Nimbus Cloud Tech | nimbuscloudtech.com | Technology | SaaS, Enterprise, Security | 540 | Qualified |
    Inbound Form | Raleigh, NC, US
Atlas Freight | atlasfreight.com | Logistics | B2B | 1250 | Unqualified | Event | Kansas City, MO, US
Beacon Media | beaconmedia.co | Media | B2C, Marketplace | 110 | Contacted | Referral | Brooklyn, NY, US
Cobalt Security | cobaltsecurity.com | Technology | Security, B2B | 270 | Qualified | Outbound |
    Washington, DC, US
Meridian Realty | meridianrealty.com | Real Estate | B2B | 340 | Unqualified | Website | San Diego, CA, US
Polaris Biotech | polarisbio.com | Healthcare | Healthtech, AI | 480 | Contacted | Event | Cambridge, MA, US
Sterling Insurance Group | sterlinginsurance.com | Finance | Enterprise | 4100 | Disqualified | Outbound |
    Hartford, CT, US
Driftwood Outfitters | driftwoodoutfitters.com | Retail | B2C, E-commerce | 95 | Unqualified |
    Inbound Form | Boulder, CO, US
Keystone Education | keystoneedu.org | Education | B2B, SaaS | 230 | Qualified | Partner | Pittsburgh, PA, US
Falcon Aerospace | falconaero.com | Manufacturing | Hardware, Enterprise | 6800 | Contacted | Referral |
    Wichita, KS, US
Lumen Tech Partners | lumentechpartners.com | Technology | B2B, Analytics | 160 | Qualified | Event |
    Toronto, ON, CA
Orchid Wellness | orchidwellness.com | Healthcare | B2C, Healthtech | 70 | Unqualified | Website |
    Nashville, TN, US
Granite Payments | granitepayments.com | Finance | Fintech, B2B | 390 | Qualified | Inbound Form |
    Salt Lake City, UT, US
Silverline Media | silverlinemedia.de | Media | B2B | 210 | Contacted | Partner | Berlin, DE
Tidewater Energy | tidewaterenergy.com | Energy | Enterprise | 1550 | Unqualified | Outbound | Norfolk, VA, US
"""
COMPANIES: tuple[tuple[str, str, str, tuple[str, ...], int, str, str, str], ...] = tuple(
    (
        name,
        domain,
        industry,
        tuple(c.strip() for c in cats.split(",")),
        int(employees),
        status,
        source,
        location,
    )
    for name, domain, industry, cats, employees, status, source, location in _rows(_COMPANIES)
)

FIRST_NAMES = tuple(
    """
    James Emma Liam Sophia Noah Ava Ethan Mia Lucas Isabella Mason Amelia Logan Harper Elijah Evelyn Aiden
    Abigail Caleb Ella Owen Grace Henry Chloe Samuel Zoe Julian Nora Gabriel Lily Isaac Hannah Leo Aria
    Wyatt Layla Nathan Riley Adrian Stella Miles Naomi Theo Ruby Felix Alice Oscar Clara Hugo Maya Ivan
    Leah Rafael Eva Tomas Ines Kenji Amara Diego Freya
    """.split()
)
LAST_NAMES = tuple(
    """
    Carter Nguyen Patel Johnson Garcia Müller Rossi Chen Okafor Williams Silva Kowalski Andersen Brown
    Lopez Murphy Tanaka Schmidt Dubois Wilson Martin Hughes Kaur Novak Fischer Reyes Walsh Sato Larsen
    Moore Ahmed Clarke Bauer Costa Evans Ibrahim Young Petrov Hill Romero Baker Foster Green Hayes Jensen
    King Lewis Mendes Nash Ortiz Price Quinn Ross Shaw Turner Vargas Ward Xu Yilmaz Zimmer
    """.split()
)
# job title | seniority
_JOB_TITLES = """
CEO | C-Level
VP of Sales | VP
CTO | C-Level
Director of Operations | Director
Head of Procurement | Director
Senior Software Engineer | Senior
Product Manager | Mid
Marketing Manager | Mid
VP Engineering | VP
CFO | C-Level
Director of IT | Director
Account Manager | Mid
Operations Analyst | Entry
Senior Data Scientist | Senior
Sales Development Representative | Entry
"""
JOB_TITLES = tuple((title, seniority) for title, seniority in _rows(_JOB_TITLES))

# company index | product | stage | deal value | close date
_DEAL_PLAN = """
0 | Platform License | Closed Won | 120000 | 2026-09-18
1 | Enterprise Expansion | Negotiation | 85000 | 2026-12-12
2 | Pilot | Discovery | 18000 | 2027-01-20
3 | Security Suite | Proposal Sent | 64000 | 2026-12-19
4 | Analytics Add-on | Lead | 9500 | 2027-02-27
5 | Platform License | Qualified | 42000 | 2027-01-15
6 | Annual Renewal | Closed Won | 27500 | 2026-10-02
7 | Enterprise Expansion | Negotiation | 240000 | 2026-12-05
8 | Platform License | Discovery | 36000 | 2027-01-30
9 | Enterprise Agreement | Proposal Sent | 185000 | 2026-12-22
10 | Pilot | Lead | 12000 | 2027-03-10
11 | Compliance Package | Closed Lost | 98000 | 2026-09-30
12 | Starter Plan | Discovery | 8000 | 2027-01-08
14 | Robotics Data Platform | Qualified | 76000 | 2027-01-22
17 | Platform License | Closed Won | 54000 | 2026-11-06
18 | Classroom Pilot | Lead | 6500 | 2027-02-14
20 | Grid Analytics | Negotiation | 132000 | 2026-12-15
21 | Fraud Detection Pilot | Discovery | 22000 | 2027-01-29
22 | Annual Renewal | Closed Won | 48000 | 2026-10-21
24 | Factory Rollout | Proposal Sent | 158000 | 2027-01-06
25 | Platform License | Qualified | 58000 | 2026-12-30
26 | Route Optimisation | Lead | 30000 | 2027-03-05
28 | Security Suite | Closed Won | 67000 | 2026-11-13
30 | Research Workspace | Discovery | 41000 | 2027-02-06
31 | Enterprise Agreement | Closed Lost | 210000 | 2026-10-15
33 | District License | Qualified | 33000 | 2027-01-12
34 | Supplier Portal | Negotiation | 275000 | 2026-12-18
35 | Analytics Add-on | Proposal Sent | 26000 | 2026-12-29
37 | Payments Integration | Closed Won | 88000 | 2026-11-20
39 | Field Ops Pilot | Lead | 15000 | 2027-03-20
0 | Analytics Add-on | Qualified | 35000 | 2027-02-03
7 | Annual Renewal | Proposal Sent | 96000 | 2026-12-31
9 | Telehealth Module | Negotiation | 72000 | 2026-12-09
1 | Onboarding Package | Discovery | 14000 | 2027-01-27
19 | Marketplace Integration | Closed Lost | 51000 | 2026-10-30
"""
DEAL_PLAN: tuple[tuple[int, str, str, int, str], ...] = tuple(
    (int(company), product, stage, int(value), close_date)
    for company, product, stage, value, close_date in _rows(_DEAL_PLAN)
)

# workspace_id, name, company index, users (person index, user_id)
WORKSPACES = (
    ("ws_acme_prod", "Acme Production", 0, ((0, "usr_1001"), (1, "usr_1002"))),
    ("ws_helio_ops", "Helio Ops", 6, ((12, "usr_1003"),)),
    ("ws_gringotts", "Gringotts Treasury", 17, ((34, "usr_1004"), (35, "usr_1005"))),
    ("ws_cobalt_soc", "Cobalt SOC", 28, ((48, "usr_1006"),)),
)

# name | status | budget | company index | start date | active | health | kickoff | phone | tags
_PROJECTS = """
Acme Data Migration | Active | 45000 | 0 | 2026-09-22 | yes | 4 | 2026-09-22T15:00:00Z | +1 217 555 0140 |
    Migration
Helio Onboarding | Done | 12000 | 6 | 2026-10-05 | no | 5 | 2026-10-05T14:00:00Z | +1 602 555 0171 |
    Onboarding
Gringotts CRM Integration | Active | 38000 | 17 | 2026-11-09 | yes | 3 | 2026-11-09T10:00:00Z |
    +44 20 7946 0321 | Integration, Migration
Cobalt SIEM Connector | Active | 26000 | 28 | 2026-11-16 | yes | 4 | 2026-11-16T16:30:00Z |
    +1 202 555 0188 | Integration
Globex Rollout Planning | Planned | 90000 | 7 | 2027-01-11 | no | 3 | 2027-01-11T15:00:00Z |
    +1 312 555 0102 | Onboarding, Analytics
Northwind Analytics Workshop | Planned | 8000 | 1 | 2027-01-18 | no | 4 | 2027-01-18T17:00:00Z |
    +1 206 555 0155 | Analytics
Granite Payments Go-Live | Active | 30000 | 37 | 2026-11-24 | yes | 2 | 2026-11-24T16:00:00Z |
    +1 801 555 0119 | Integration, Onboarding
Redwood Dashboard Refresh | On Hold | 15000 | 22 | 2026-10-19 | no | 2 | 2026-10-19T18:00:00Z |
    +1 415 555 0163 | Analytics
Acme Warehouse Sensors | Done | 22000 | 0 | 2026-08-17 | no | 5 | 2026-08-17T13:00:00Z | +1 217 555 0177 |
    Integration
Evergreen Forecasting Pilot | Planned | 50000 | 20 | 2027-02-01 | no | 3 | 2027-02-01T15:30:00Z |
    +1 713 555 0124 | Analytics, Migration
"""
PROJECTS: tuple[tuple[str, str, int, int, str, bool, int, str, str, tuple[str, ...]], ...] = tuple(
    (
        name,
        status,
        int(budget),
        int(company),
        start,
        active == "yes",
        int(health),
        kickoff,
        phone,
        tuple(t.strip() for t in tags.split(",")),
    )
    for name, status, budget, company, start, active, health, kickoff, phone, tags in _rows(_PROJECTS)
)
