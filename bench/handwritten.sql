-- The справка's aggregates written by hand, as the floor the ORM code is compared with.
-- Parameters: %(p)s programme, %(r)s region, %(y)s year, %(s)s / %(e)s the period's first and last day,
-- %(ps)s / %(pe)s the previous period's.

-- residents at the period's end by category
SELECT category, COUNT(DISTINCT participant_id) FROM participants_membership
WHERE programme_id = %(p)s AND included_on <= %(e)s AND (left_on IS NULL OR left_on > %(e)s) GROUP BY category;

-- new residents: first resident membership began in the period
SELECT COUNT(DISTINCT m.participant_id) FROM participants_membership m
WHERE m.programme_id = %(p)s AND m.category IN ('school', 'student') AND m.included_on BETWEEN %(s)s AND %(e)s
  AND NOT EXISTS (SELECT 1 FROM participants_membership b WHERE b.participant_id = m.participant_id
    AND b.programme_id = %(p)s AND b.category IN ('school', 'student') AND b.included_on < %(s)s);

-- Table 1: resident pupils and their organisations by municipality
SELECT o.municipality_id, COUNT(DISTINCT m.participant_id), COUNT(DISTINCT pp.organisation_id)
FROM participants_membership m JOIN participants_participant pp ON pp.id = m.participant_id
LEFT JOIN participants_organisation o ON o.id = pp.organisation_id
WHERE m.programme_id = %(p)s AND m.category = 'school' AND m.included_on <= %(e)s
  AND (m.left_on IS NULL OR m.left_on > %(e)s)
GROUP BY o.municipality_id;

SELECT id, name FROM participants_municipality WHERE region_id = %(r)s ORDER BY sort_order, name;

-- accredited participants over three periods (stated total, else parts, else records)
SELECT e.period, COUNT(*), SUM(CASE
    WHEN e.headcount_total IS NOT NULL THEN e.headcount_total
    WHEN e.headcount_pupils IS NOT NULL OR e.headcount_teachers IS NOT NULL OR e.headcount_experts IS NOT NULL
      THEN COALESCE(e.headcount_pupils, 0) + COALESCE(e.headcount_teachers, 0) + COALESCE(e.headcount_experts, 0)
    ELSE (SELECT COUNT(*) FROM events_participation x WHERE x.edition_id = e.id) END)
FROM events_edition e JOIN events_eventseries s ON s.id = e.series_id
WHERE s.programme_id = %(p)s AND s.kind = 'accredited' AND e.held AND e.period BETWEEN %(y)s - 2 AND %(y)s
GROUP BY e.period;

-- Table 2: coverage of accredited editions over three periods
SELECT e.series_id, e.period, e.held, c.municipality_id, mu.region_id
FROM events_edition e JOIN events_eventseries s ON s.id = e.series_id
LEFT JOIN events_coverage c ON c.edition_id = e.id LEFT JOIN participants_municipality mu ON mu.id = c.municipality_id
WHERE s.programme_id = %(p)s AND s.kind = 'accredited' AND e.period BETWEEN %(y)s - 2 AND %(y)s;

-- Table 3: satellite events, this period and the last
SELECT s.id, s.name, s.direction, e.period, SUM(CASE
    WHEN e.headcount_total IS NOT NULL THEN e.headcount_total
    WHEN e.headcount_pupils IS NOT NULL OR e.headcount_teachers IS NOT NULL OR e.headcount_experts IS NOT NULL
      THEN COALESCE(e.headcount_pupils, 0) + COALESCE(e.headcount_teachers, 0) + COALESCE(e.headcount_experts, 0)
    ELSE (SELECT COUNT(*) FROM events_participation x WHERE x.edition_id = e.id) END)
FROM events_edition e JOIN events_eventseries s ON s.id = e.series_id
WHERE s.programme_id = %(p)s AND s.kind = 'satellite' AND e.held AND e.period BETWEEN %(y)s - 1 AND %(y)s
GROUP BY s.id, s.name, s.direction, e.period;

-- cohort activities of the period
SELECT e.starts_on, e.headcount_pupils, e.headcount_teachers FROM events_edition e
JOIN events_eventseries s ON s.id = e.series_id
WHERE s.programme_id = %(p)s AND s.kind = 'activity' AND e.period = %(y)s ORDER BY e.starts_on;

-- residents with opportunities, by kind
SELECT o.kind, COUNT(DISTINCT o.participant_id) FROM events_opportunity o
WHERE o.programme_id = %(p)s AND o.starts_on <= %(e)s AND (o.ends_on IS NULL OR o.ends_on >= %(s)s)
  AND o.participant_id IN (SELECT participant_id FROM participants_membership
    WHERE programme_id = %(p)s AND category IN ('school', 'student') AND included_on <= %(e)s
      AND (left_on IS NULL OR left_on > %(s)s))
GROUP BY o.kind;

-- partners at the period's end
SELECT name, since FROM events_partnerorganisation
WHERE programme_id = %(p)s AND since <= %(e)s AND (until IS NULL OR until >= %(e)s);

SELECT COUNT(*) FROM events_partnerorganisation WHERE programme_id = %(p)s AND since BETWEEN %(s)s AND %(e)s;

-- publications by outlet kind
SELECT outlet_kind, COUNT(*), COUNT(DISTINCT outlet) FROM events_publication
WHERE programme_id = %(p)s AND published_on BETWEEN %(s)s AND %(e)s GROUP BY outlet_kind;

-- achievements of members in the period
SELECT a.level, a.achieved_on, a.event_name, a.result, a.place, pp.last_name, pp.first_name, pp.patronymic,
  pp.consent, o.name, mu.name
FROM participants_achievement a JOIN participants_participant pp ON pp.id = a.participant_id
LEFT JOIN participants_organisation o ON o.id = pp.organisation_id
LEFT JOIN participants_municipality mu ON mu.id = o.municipality_id
WHERE a.achieved_on BETWEEN %(s)s AND %(e)s AND EXISTS (
  SELECT 1 FROM participants_membership m WHERE m.participant_id = a.participant_id AND m.programme_id = %(p)s
    AND m.included_on <= %(e)s AND (m.left_on IS NULL OR m.left_on > %(s)s));

-- cohort: participants and organisations, this period and the last
SELECT
  COUNT(DISTINCT m.participant_id) FILTER (WHERE m.included_on <= %(e)s AND (m.left_on IS NULL OR m.left_on > %(s)s)),
  COUNT(DISTINCT pp.organisation_id) FILTER (WHERE m.included_on <= %(e)s AND (m.left_on IS NULL OR m.left_on > %(s)s)),
  COUNT(DISTINCT m.participant_id) FILTER (WHERE m.included_on <= %(pe)s AND (m.left_on IS NULL OR m.left_on > %(ps)s)),
  COUNT(DISTINCT pp.organisation_id) FILTER (WHERE m.included_on <= %(pe)s AND (m.left_on IS NULL OR m.left_on > %(ps)s))
FROM participants_membership m JOIN participants_participant pp ON pp.id = m.participant_id
WHERE m.programme_id = %(p)s;

-- teams of the period
SELECT t.id, t.name, t.mentor_name, COUNT(tm.id) FROM participants_projectteam t
LEFT JOIN participants_teammember tm ON tm.team_id = t.id
WHERE t.programme_id = %(p)s AND t.period = %(y)s GROUP BY t.id ORDER BY t.id;

-- organisations ranked by participants of the period
SELECT o.name, COUNT(DISTINCT m.participant_id) FROM participants_membership m
JOIN participants_participant pp ON pp.id = m.participant_id
LEFT JOIN participants_organisation o ON o.id = pp.organisation_id
WHERE m.programme_id = %(p)s AND m.included_on <= %(e)s AND (m.left_on IS NULL OR m.left_on > %(s)s)
GROUP BY o.name;

-- people with both diagnostics of the period, by organisation
SELECT o.name, COUNT(*) FROM participants_participant pp LEFT JOIN participants_organisation o ON o.id = pp.organisation_id
WHERE pp.id IN (SELECT participant_id FROM participants_diagnostic WHERE programme_id = %(p)s AND period = %(y)s
  GROUP BY participant_id HAVING COUNT(DISTINCT stage) = 2)
GROUP BY o.name;

-- growth: average entry and final score per competence over those people
SELECT c.name, AVG(sc.score) FILTER (WHERE d.stage = 'entry'), AVG(sc.score) FILTER (WHERE d.stage = 'final'),
  COUNT(DISTINCT d.participant_id)
FROM participants_diagnosticscore sc JOIN participants_diagnostic d ON d.id = sc.diagnostic_id
JOIN participants_competence c ON c.id = sc.competence_id
WHERE d.programme_id = %(p)s AND d.period = %(y)s AND d.participant_id IN (
  SELECT participant_id FROM participants_diagnostic WHERE programme_id = %(p)s AND period = %(y)s
  GROUP BY participant_id HAVING COUNT(DISTINCT stage) = 2)
GROUP BY c.id, c.name ORDER BY c.sort_order;

-- criteria targets of the period
SELECT cr.number, t.metric, t.value FROM participants_criteriontarget t
JOIN participants_criterion cr ON cr.id = t.criterion_id WHERE cr.programme_id = %(p)s AND t.period = %(y)s;
