-- bench/tenants.sh: copies tenant t000's tree (seeded through the API)
-- into t001..t099 with fresh ids, in one transaction. The copies go in
-- ordered by (created_at, tenant), so every copied tenant's rows are
-- spread over the heap among the 98 others', as when tenants write at the
-- same time: a tenant's page cannot be fast merely because its rows sit
-- together.
BEGIN;
CREATE TEMP TABLE copies AS
  SELECT n, 't' || lpad(n::text, 3, '0') AS name FROM generate_series(1, 99) n;
CREATE TEMP TABLE ids AS
  SELECT o.id AS old, c.n, gen_random_uuid() AS new
  FROM (SELECT id FROM agents WHERE tenant = 't000'
        UNION ALL SELECT id FROM goals WHERE tenant = 't000'
        UNION ALL SELECT id FROM plans WHERE tenant = 't000'
        UNION ALL SELECT id FROM tasks WHERE tenant = 't000') o
  CROSS JOIN copies c;
CREATE INDEX ON ids (old, n);

CREATE TEMP TABLE ca AS SELECT t.*, c.n AS copy_n, c.name AS copy_tenant
  FROM agents t CROSS JOIN copies c WHERE t.tenant = 't000';
UPDATE ca SET id = i.new, tenant = copy_tenant FROM ids i WHERE i.old = ca.id AND i.n = ca.copy_n;

CREATE TEMP TABLE cg AS SELECT t.*, c.n AS copy_n, c.name AS copy_tenant
  FROM goals t CROSS JOIN copies c WHERE t.tenant = 't000';
UPDATE cg SET id = i.new, tenant = copy_tenant FROM ids i WHERE i.old = cg.id AND i.n = cg.copy_n;
UPDATE cg SET agent_id = i.new FROM ids i WHERE i.old = cg.agent_id AND i.n = cg.copy_n;

CREATE TEMP TABLE cp AS SELECT t.*, c.n AS copy_n, c.name AS copy_tenant
  FROM plans t CROSS JOIN copies c WHERE t.tenant = 't000';
UPDATE cp SET id = i.new, tenant = copy_tenant FROM ids i WHERE i.old = cp.id AND i.n = cp.copy_n;
UPDATE cp SET goal_id = i.new FROM ids i WHERE i.old = cp.goal_id AND i.n = cp.copy_n;

CREATE TEMP TABLE ct AS SELECT t.*, c.n AS copy_n, c.name AS copy_tenant
  FROM tasks t CROSS JOIN copies c WHERE t.tenant = 't000';
UPDATE ct SET id = i.new, tenant = copy_tenant FROM ids i WHERE i.old = ct.id AND i.n = ct.copy_n;
UPDATE ct SET plan_id = i.new FROM ids i WHERE i.old = ct.plan_id AND i.n = ct.copy_n;
UPDATE ct SET agent_id = i.new FROM ids i WHERE i.old = ct.agent_id AND i.n = ct.copy_n;

ALTER TABLE ca DROP COLUMN copy_n, DROP COLUMN copy_tenant;
ALTER TABLE cg DROP COLUMN copy_n, DROP COLUMN copy_tenant;
ALTER TABLE cp DROP COLUMN copy_n, DROP COLUMN copy_tenant;
ALTER TABLE ct DROP COLUMN copy_n, DROP COLUMN copy_tenant;
INSERT INTO agents SELECT * FROM ca ORDER BY created_at, tenant;
INSERT INTO goals SELECT * FROM cg ORDER BY created_at, tenant;
INSERT INTO plans SELECT * FROM cp ORDER BY created_at, tenant;
INSERT INTO tasks SELECT * FROM ct ORDER BY created_at, tenant;
COMMIT;
