//! Registration: places while capacity and the organisation's quota allow, a waiting list first
//! come first served, and offers of freed places to the first waiting person who can take one.
//! Pure rules over an event's registrations; the store applies them inside one transaction (see
//! "Registration" in `docs/convenings.md`).

use crate::choice::choice;
use uuid::Uuid;

choice!(
    /// Where a registration stands. `confirmed` and `offered` hold a place; `waiting` is on the
    /// list; `cancelled` (by the person, or by the event's cancellation) and `lapsed` (an offer not
    /// accepted in time) are over.
    RegistrationState in "kebab-case", "state", "invalid-choice",
    "must be one of confirmed, offered, waiting, cancelled, lapsed",
    { Confirmed => "confirmed", Offered => "offered", Waiting => "waiting", Cancelled => "cancelled", Lapsed => "lapsed" }
);

impl RegistrationState {
    /// Does a registration in this state hold (or have reserved) a place?
    pub fn holds_place(self) -> bool {
        matches!(self, RegistrationState::Confirmed | RegistrationState::Offered)
    }
    /// Is the registration still current (holding a place or waiting)?
    pub fn is_active(self) -> bool {
        self.holds_place() || self == RegistrationState::Waiting
    }
}

/// One registration as the rules see it: its organisation (for the quota), state and queue number
/// (the order in which people joined the waiting list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holder {
    pub id: Uuid,
    pub organisation: Option<Uuid>,
    pub state: RegistrationState,
    pub queue: Option<i64>,
}

/// An event's limits: places (none = unlimited) and places per organisation (none = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub capacity: Option<i64>,
    pub quota: Option<i64>,
}

impl Limits {
    /// Is there a place for a person of `organisation` beside the places `regs` hold? A person
    /// without an organisation is held to the capacity only.
    pub fn has_room(&self, regs: &[Holder], organisation: Option<Uuid>) -> bool {
        let held = regs.iter().filter(|h| h.state.holds_place()).count() as i64;
        let capacity_ok = self.capacity.is_none_or(|c| held < c);
        let quota_ok = match (self.quota, organisation) {
            (Some(q), Some(o)) => {
                (regs.iter().filter(|h| h.state.holds_place() && h.organisation == Some(o)).count() as i64) < q
            }
            _ => true,
        };
        capacity_ok && quota_ok
    }
}

/// What a new registration gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A place.
    Place,
    /// A place on the waiting list with this queue number (one more than the last given).
    Wait { queue: i64 },
}

/// A new registration of a person of `organisation`: a place when there is room for them and
/// nobody waiting could take that place first; else the waiting list.
pub fn admit(limits: Limits, regs: &[Holder], organisation: Option<Uuid>) -> Admission {
    let someone_first =
        regs.iter().any(|h| h.state == RegistrationState::Waiting && limits.has_room(regs, h.organisation));
    if limits.has_room(regs, organisation) && !someone_first {
        Admission::Place
    } else {
        let last = regs.iter().filter_map(|h| h.queue).max().unwrap_or(0);
        Admission::Wait { queue: last + 1 }
    }
}

/// The waiting registrations to offer a place now, in order: the first waiting person (by queue
/// number) for whom there is room, then the next, while places are free. A person whose
/// organisation is at its quota keeps their position and is passed over until it is not.
pub fn offers_to_make(limits: Limits, regs: &[Holder]) -> Vec<Uuid> {
    let mut sim: Vec<Holder> = regs.to_vec();
    let mut waiting: Vec<Holder> = sim.iter().filter(|h| h.state == RegistrationState::Waiting).copied().collect();
    waiting.sort_by_key(|h| h.queue.unwrap_or(i64::MAX));
    let mut out = vec![];
    for w in waiting {
        if limits.has_room(&sim, w.organisation) {
            out.push(w.id);
            if let Some(h) = sim.iter_mut().find(|h| h.id == w.id) {
                h.state = RegistrationState::Offered;
            }
        }
        if !limits.has_room(&sim, None) {
            break;
        }
    }
    out
}

/// A waiting registration's position on the list (1 for the first), counting only those still
/// waiting; `None` when it is not waiting.
pub fn waiting_position(regs: &[Holder], id: Uuid) -> Option<usize> {
    let me = regs.iter().find(|h| h.id == id && h.state == RegistrationState::Waiting)?;
    let mine = me.queue.unwrap_or(i64::MAX);
    Some(
        regs.iter().filter(|h| h.state == RegistrationState::Waiting && h.queue.unwrap_or(i64::MAX) < mine).count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationState::*;

    fn h(n: u128, org: u128, state: RegistrationState, queue: Option<i64>) -> Holder {
        Holder { id: Uuid::from_u128(n), organisation: Some(Uuid::from_u128(org)), state, queue }
    }

    /// The worked example of docs/convenings.md: capacity 3, quota 2 per city.
    #[test]
    fn places_then_waiting_list_with_quota() {
        let limits = Limits { capacity: Some(3), quota: Some(2) };
        let (riga, oslo) = (Some(Uuid::from_u128(100)), Some(Uuid::from_u128(200)));
        let mut regs = vec![];
        // Riga's first two get places; Riga's third waits (quota), Oslo's first takes the last place.
        for (n, org) in [(1, riga), (2, riga), (3, riga), (4, oslo), (5, oslo)] {
            let state = match admit(limits, &regs, org) {
                Admission::Place => (Confirmed, None),
                Admission::Wait { queue } => (Waiting, Some(queue)),
            };
            regs.push(Holder { id: Uuid::from_u128(n), organisation: org, state: state.0, queue: state.1 });
        }
        let states: Vec<_> = regs.iter().map(|h| (h.state, h.queue)).collect();
        assert_eq!(
            states,
            [(Confirmed, None), (Confirmed, None), (Waiting, Some(1)), (Confirmed, None), (Waiting, Some(2))]
        );
        assert_eq!(waiting_position(&regs, Uuid::from_u128(5)), Some(2));
        // Oslo's place is cancelled: Riga's waiting person is first but at quota, so Oslo's gets it.
        regs[3].state = Cancelled;
        assert_eq!(offers_to_make(limits, &regs), [Uuid::from_u128(5)]);
        // A Riga place is cancelled instead: the first waiting person (Riga, now below quota) gets it.
        regs[3].state = Confirmed;
        regs[0].state = Cancelled;
        assert_eq!(offers_to_make(limits, &regs), [Uuid::from_u128(3)]);
    }

    #[test]
    fn nobody_jumps_the_queue() {
        let limits = Limits { capacity: Some(1), quota: None };
        let regs = [h(1, 1, Cancelled, None), h(2, 2, Waiting, Some(1))];
        // A place is free but person 2 waits for it: a newcomer waits too.
        assert_eq!(admit(limits, &regs, Some(Uuid::from_u128(3))), Admission::Wait { queue: 2 });
        assert_eq!(offers_to_make(limits, &regs), [Uuid::from_u128(2)]);
    }

    #[test]
    fn unlimited_events_always_have_a_place_and_offers_hold_places() {
        let regs: Vec<_> = (0..1000).map(|n| h(n, 1, Confirmed, None)).collect();
        assert_eq!(admit(Limits::default(), &regs, None), Admission::Place);
        let limits = Limits { capacity: Some(2), quota: None };
        let regs = [h(1, 1, Confirmed, None), h(2, 1, Offered, None), h(3, 1, Waiting, Some(1))];
        assert!(offers_to_make(limits, &regs).is_empty(), "an offered place is reserved");
        assert_eq!(admit(limits, &regs, None), Admission::Wait { queue: 2 });
        assert_eq!(waiting_position(&regs, Uuid::from_u128(1)), None);
    }

    #[test]
    fn several_freed_places_go_to_several_waiting_people_in_order() {
        let limits = Limits { capacity: Some(3), quota: None };
        let regs =
            [h(1, 1, Confirmed, None), h(4, 1, Waiting, Some(3)), h(2, 1, Waiting, Some(1)), h(3, 1, Waiting, Some(2))];
        assert_eq!(offers_to_make(limits, &regs), [Uuid::from_u128(2), Uuid::from_u128(3)]);
        assert_eq!(waiting_position(&regs, Uuid::from_u128(4)), Some(3));
    }
}
