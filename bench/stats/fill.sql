-- bench/stats.sh's tenant: 50,000 tasks in tenant `bench`, written by SQL
-- on a database the binary has migrated (and left empty). 20 agents, 50
-- goals, 100 plans; task i's plan is i % 100, its agent i % 20 except
-- for a tenth (unassigned), its type one of 5, its status mixed as a
-- queue in service would be (40 % pending, 30 % completed, 10 % running,
-- 10 % failed, 5 % cancelled, 5 % blocked), created one per second;
-- status, type and assignee from different digits of i, so that no
-- agent or plan has one status only.
\set ON_ERROR_STOP on
CREATE TEMP TABLE a AS
  SELECT i, gen_random_uuid() AS id FROM generate_series(0, 19) AS s(i);
CREATE TEMP TABLE g AS
  SELECT i, gen_random_uuid() AS id, i % 20 AS agent FROM generate_series(0, 49) AS s(i);
CREATE TEMP TABLE p AS
  SELECT i, gen_random_uuid() AS id, i % 50 AS goal FROM generate_series(0, 99) AS s(i);

INSERT INTO agents (id, tenant, did, name, status, configuration, metadata, version, created_at, updated_at)
SELECT a.id, 'bench', 'did:stats:' || a.i, 'stats agent ' || a.i, 'ACTIVE', '{}', '{}', 1,
       now() - interval '2 days', now() - interval '2 days'
FROM a;
INSERT INTO goals (id, tenant, agent_id, description, success_criteria, priority, status, version, created_at, updated_at)
SELECT g.id, 'bench', a.id, 'stats goal ' || g.i, '[]', 1 + g.i % 10, 'PENDING', 1,
       now() - interval '2 days', now() - interval '2 days'
FROM g JOIN a ON a.i = g.agent;
INSERT INTO plans (id, tenant, goal_id, description, status, version, created_at, updated_at)
SELECT p.id, 'bench', g.id, 'stats plan ' || p.i, 'ACTIVE', 1,
       now() - interval '2 days', now() - interval '2 days'
FROM p JOIN g ON g.i = p.goal;
INSERT INTO tasks (id, tenant, plan_id, agent_id, description, task_type, status, input_data, version, created_at, updated_at)
SELECT gen_random_uuid(), 'bench', p.id,
       CASE WHEN (s.i / 11) % 10 = 0 THEN NULL ELSE a.id END,
       'stats task', 'type' || ((s.i / 7) % 5),
       CASE WHEN (s.i / 3) % 20 < 8 THEN 'PENDING' WHEN (s.i / 3) % 20 < 14 THEN 'COMPLETED'
            WHEN (s.i / 3) % 20 < 16 THEN 'RUNNING' WHEN (s.i / 3) % 20 < 18 THEN 'FAILED'
            WHEN (s.i / 3) % 20 < 19 THEN 'CANCELLED' ELSE 'BLOCKED' END,
       '{}', 1, now() - s.i * interval '1 second', now() - (s.i % 7) * interval '1 second'
FROM generate_series(1, 50000) AS s(i)
JOIN p ON p.i = s.i % 100
JOIN a ON a.i = s.i % 20;
