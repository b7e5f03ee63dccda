//! The in-memory model the property test checks the server against: every
//! object of every tenant, and what each tenant should list.

#![allow(clippy::wildcard_imports)]

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Object {
    pub(super) id: String,
    pub(super) tenant: usize,
    /// The agent of a goal, the goal of a plan, the plan of a task.
    pub(super) parent: Option<String>,
    pub(super) version: i64,
    pub(super) alive: bool,
    pub(super) status: &'static str,
    pub(super) assignee: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Model {
    pub(super) agents: Vec<Object>,
    pub(super) goals: Vec<Object>,
    pub(super) plans: Vec<Object>,
    pub(super) tasks: Vec<Object>,
}

impl Model {
    pub(super) fn of(&mut self, kind: Kind) -> &mut Vec<Object> {
        match kind {
            Kind::Agent => &mut self.agents,
            Kind::Goal => &mut self.goals,
            Kind::Plan => &mut self.plans,
            Kind::Task => &mut self.tasks,
        }
    }

    /// The picked object of `kind`, if any was ever created, and whether
    /// `by` may name it (alive and of its tenant).
    pub(super) fn pick(&mut self, kind: Kind, pick: usize, by: usize) -> Option<(usize, bool)> {
        let objects = self.of(kind);
        if objects.is_empty() {
            return None;
        }
        let index = pick % objects.len();
        let visible = objects[index].alive && objects[index].tenant == by;
        Some((index, visible))
    }

    pub(super) fn add(
        &mut self,
        kind: Kind,
        id: String,
        by: usize,
        parent: Option<String>,
        assignee: Option<String>,
    ) {
        self.of(kind).push(Object {
            id,
            tenant: by,
            parent,
            version: 1,
            alive: true,
            status: "PENDING",
            assignee,
        });
    }

    /// Deletes the object and everything under it; an agent's other
    /// assigned tasks are unassigned (a change: version + 1).
    pub(super) fn delete(&mut self, kind: Kind, index: usize) {
        let id = self.of(kind)[index].id.clone();
        self.of(kind)[index].alive = false;
        let below = match kind {
            Kind::Agent => Some(Kind::Goal),
            Kind::Goal => Some(Kind::Plan),
            Kind::Plan => Some(Kind::Task),
            Kind::Task => None,
        };
        if let Some(below) = below {
            let children: Vec<usize> = (0..self.of(below).len())
                .filter(|&i| {
                    let child = &self.of(below)[i];
                    child.alive && child.parent.as_deref() == Some(&id)
                })
                .collect();
            for child in children {
                self.delete(below, child);
            }
        }
        if kind == Kind::Agent {
            for task in self
                .tasks
                .iter_mut()
                .filter(|t| t.alive && t.assignee.as_deref() == Some(&id))
            {
                task.assignee = None;
                task.version += 1;
            }
        }
    }

    /// What tenant `t` must list, in the shape of [`LIST`]'s answer,
    /// each list sorted by id.
    pub(super) fn view(&self, t: usize) -> Value {
        let list = |objects: &[Object], shape: &dyn Fn(&Object) -> Value| {
            let mut nodes: Vec<Value> = objects
                .iter()
                .filter(|o| o.alive && o.tenant == t)
                .map(shape)
                .collect();
            nodes.sort_by_key(|node| node["id"].to_string());
            json!({ "totalCount": nodes.len(), "nodes": nodes })
        };
        json!({
            "agents": list(&self.agents, &|o| json!({ "id": o.id, "version": o.version })),
            "goals": list(&self.goals, &|o| json!({ "id": o.id, "version": o.version, "agentId": o.parent })),
            "plans": list(&self.plans, &|o| json!({ "id": o.id, "version": o.version, "goalId": o.parent })),
            "tasks": list(&self.tasks, &|o| json!({ "id": o.id, "version": o.version, "planId": o.parent,
                                                   "status": o.status, "agentId": o.assignee })),
            "taskStats": self.stats(t),
        })
    }

    /// `taskStats(groupBy: [PLAN, STATUS])` of tenant `t`: largest groups
    /// first, then by plan id and by status in the schema's order.
    fn stats(&self, t: usize) -> Value {
        const SCHEMA_ORDER: [&str; 6] = [
            "PENDING",
            "RUNNING",
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "BLOCKED",
        ];
        let mut groups: Vec<(String, &str, usize)> = Vec::new();
        for task in self.tasks.iter().filter(|o| o.alive && o.tenant == t) {
            let plan = task.parent.clone().unwrap_or_default();
            match groups
                .iter_mut()
                .find(|(p, status, _)| *p == plan && *status == task.status)
            {
                Some(group) => group.2 += 1,
                None => groups.push((plan, task.status, 1)),
            }
        }
        let rank = |status: &str| SCHEMA_ORDER.iter().position(|s| *s == status);
        groups.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| rank(a.1).cmp(&rank(b.1)))
        });
        groups
            .into_iter()
            .map(
                |(plan, status, count)| json!({ "planId": plan, "status": status, "count": count }),
            )
            .collect()
    }
}
