//! One shared resource as the report shows it: its load over one replication's week (the
//! busiest instance, the most on any instance, the mean over instances), the busiest instance's
//! stretch, and how long each window's servers waited there.

use crate::engine::coupled::ResourceLoad;
use crate::scenario::resource::{Capacity, Resource, ResourceKind};

/// A resource's load in one replication, reduced to what its chart and section need.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceView {
    /// The resource's name.
    pub name: String,
    /// `shared` or `slots`.
    pub kind: &'static str,
    /// Instances.
    pub instances: usize,
    /// Where activities stop running at full speed: slots, or a time-work capacity (none for a
    /// rate: every extra download slows the others).
    pub full_speed: Option<f64>,
    /// The instance with the most activity-minutes (0-based).
    pub busiest: usize,
    /// Each minute from Monday 00:00: the most activities present on the busiest instance.
    pub busiest_users: Vec<f64>,
    /// Each minute: the most present on any instance.
    pub most_users: Vec<f64>,
    /// Each minute: the mean over instances of the most present.
    pub mean_users: Vec<f64>,
    /// Shared: each minute, the busiest instance's stretch (time taken over time alone) at its
    /// most activities present; empty for slots.
    pub busiest_stretch: Vec<f64>,
    /// Per window: minutes its servers spent waiting or slowed here, summed.
    pub window_wait_minutes: Vec<f64>,
}

impl ResourceView {
    /// The view of `resource` from what one replication recorded.
    pub fn of(resource: &Resource, load: &ResourceLoad) -> Self {
        let minutes = load.users.iter().map(Vec::len).max().unwrap_or(0);
        let at = |u: &Vec<u32>, m: usize| u.get(m).copied().unwrap_or(0);
        let total = |u: &Vec<u32>| u.iter().map(|x| u64::from(*x)).sum::<u64>();
        let busiest = (0..load.users.len()).max_by_key(|&i| (total(&load.users[i]), std::cmp::Reverse(i))).unwrap_or(0);
        let count = load.users.len().max(1) as f64;
        let empty = Vec::new();
        let busiest_series = load.users.get(busiest).unwrap_or(&empty);
        let busiest_users: Vec<f64> = (0..minutes).map(|m| f64::from(at(busiest_series, m))).collect();
        // A shared instance's capacity and per-activity cap: each of n activities gets
        // min(per_user, capacity / n) of the min(per_user, capacity) it would get alone.
        let (kind, full_speed, shares) = match &resource.kind {
            ResourceKind::Shared { capacity: Capacity::Rate(rate), per_user } => {
                ("shared", None, Some((*rate, per_user.unwrap_or(f64::INFINITY))))
            }
            ResourceKind::Shared { capacity: Capacity::Concurrent(n), per_user } => {
                ("shared", Some(*n), Some((*n, per_user.unwrap_or(1.0))))
            }
            ResourceKind::Slots { slots, .. } => ("slots", Some(f64::from(*slots)), None),
        };
        let stretch = |(cap, user): (f64, f64), n: f64| if n <= 0.0 { 1.0 } else { user.min(cap) / user.min(cap / n) };
        Self {
            name: resource.name.clone(),
            kind,
            instances: load.users.len(),
            full_speed,
            busiest,
            busiest_stretch: shares.map(|c| busiest_users.iter().map(|n| stretch(c, *n)).collect()).unwrap_or_default(),
            busiest_users,
            most_users: (0..minutes)
                .map(|m| f64::from(load.users.iter().map(|u| at(u, m)).max().unwrap_or(0)))
                .collect(),
            mean_users: (0..minutes)
                .map(|m| load.users.iter().map(|u| f64::from(at(u, m))).sum::<f64>() / count)
                .collect(),
            window_wait_minutes: load.window_wait_minutes.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::resource::ResourceAssign;

    #[test]
    fn the_busiest_instance_and_its_stretch_come_from_the_minutes() {
        let host = Resource {
            name: "host".to_owned(),
            kind: ResourceKind::Shared { capacity: Capacity::Concurrent(2.0), per_user: Some(1.0) },
            instances: 2,
            assign: ResourceAssign::Even,
            outages: Vec::new(),
        };
        let load = ResourceLoad { users: vec![vec![1, 1], vec![4, 2, 1]], window_wait_minutes: vec![3.0] };
        let v = ResourceView::of(&host, &load);
        assert_eq!(v.busiest, 1);
        assert_eq!(v.busiest_users, vec![4.0, 2.0, 1.0]);
        assert_eq!(v.most_users, vec![4.0, 2.0, 1.0]);
        assert_eq!(v.mean_users, vec![2.5, 1.5, 0.5]);
        // Four on a host of 2 run at half speed; two or fewer at full speed.
        assert_eq!(v.busiest_stretch, vec![2.0, 1.0, 1.0]);
        assert_eq!(v.full_speed, Some(2.0));
    }
}
