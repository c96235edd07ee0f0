#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

//! Random operation sequences over the share workflow: every state reached is one the
//! transition tables allow, object and item states stay consistent, and a refused operation
//! changes nothing.

use lakecat_core::shares::{
    ITEM_OUTCOMES, ITEM_TRANSITIONS, ItemStatus, SHARE_TRANSITIONS, ShareAction, ShareState,
    ShareStatus,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Action(ShareAction, Vec<usize>),
    Outcome(usize, bool),
}

fn action() -> impl Strategy<Value = ShareAction> {
    prop::sample::select(vec![
        ShareAction::AddItem,
        ShareAction::Submit,
        ShareAction::Approve,
        ShareAction::Reject,
        ShareAction::StartShare,
        ShareAction::RevokeItems,
        ShareAction::StartRevoke,
        ShareAction::Finish,
        ShareAction::RequestExtension,
        ShareAction::ApproveExtension,
        ShareAction::RejectExtension,
        ShareAction::Delete,
    ])
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (action(), prop::collection::vec(0usize..6, 0..3)).prop_map(|(a, s)| Op::Action(a, s)),
        2 => (0usize..6, any::<bool>()).prop_map(|(i, ok)| Op::Outcome(i, ok)),
    ]
}

fn item_change_allowed(action: Option<ShareAction>, from: ItemStatus, to: ItemStatus) -> bool {
    from == to
        || match action {
            Some(a) => ITEM_TRANSITIONS.contains(&(a, from, to)),
            None => ITEM_OUTCOMES.iter().any(|(f, _, t)| *f == from && *t == to),
        }
}

/// Runs one random sequence; returns the object states it reached.
fn run_sequence(ops: Vec<Op>) -> Result<Vec<ShareStatus>, TestCaseError> {
    let mut state = ShareState::new();
    let mut seen = vec![];
    for op in ops {
        let (next, action) = match &op {
            Op::Action(a, selected) => (state.apply(*a, selected), Some(*a)),
            Op::Outcome(i, ok) => (state.item_outcome(*i, *ok), None),
        };
        let Ok(next) = next else { continue };
        if let Some(a) = action {
            prop_assert!(
                SHARE_TRANSITIONS.contains(&(a, state.status, next.status)),
                "{:?}: {:?} -> {:?} is not in the table",
                a,
                state.status,
                next.status
            );
        } else {
            prop_assert_eq!(
                state.status,
                next.status,
                "an item outcome moved the request"
            );
        }
        let added = usize::from(action == Some(ShareAction::AddItem));
        prop_assert_eq!(next.items.len(), state.items.len() + added);
        for (from, to) in state.items.iter().zip(&next.items) {
            prop_assert!(
                item_change_allowed(action, *from, *to),
                "{:?}: item {:?} -> {:?}",
                op,
                from,
                to
            );
        }
        if let Err(e) = next.consistent() {
            return Err(TestCaseError::fail(format!("after {op:?}: {e}")));
        }
        seen.push(next.status);
        state = next;
        if state.status == ShareStatus::Deleted {
            // Deleted is final: nothing moves it.
            for a in [
                ShareAction::AddItem,
                ShareAction::Submit,
                ShareAction::Delete,
            ] {
                prop_assert!(state.apply(a, &[]).is_err());
            }
            break;
        }
    }
    Ok(seen)
}

/// Runs `cases` random sequences; returns the object states reached.
fn explore(
    mut runner: proptest::test_runner::TestRunner,
) -> std::collections::HashSet<ShareStatus> {
    let seen = std::sync::Mutex::new(std::collections::HashSet::new());
    let result = runner.run(&prop::collection::vec(op(), 1..80), |ops| {
        let reached = run_sequence(ops)?;
        seen.lock().unwrap().extend(reached);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    seen.into_inner().unwrap()
}

fn config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..Default::default()
    }
}

/// Fresh random sequences on every run: every state reached is allowed and consistent.
#[test]
fn every_reachable_state_is_allowed_and_consistent() {
    explore(proptest::test_runner::TestRunner::new(config(2_000)));
}

/// A fixed seed, so that the coverage check cannot flake: the walk reaches every state, so
/// the property above is checked on all of them.
#[test]
fn the_random_walk_reaches_every_state() {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let seen = explore(TestRunner::new_with_rng(config(5_000), rng));
    let missed: Vec<_> = ShareStatus::ALL
        .iter()
        .filter(|s| !seen.contains(s))
        .collect();
    assert!(missed.is_empty(), "states never reached: {missed:?}");
}

/// The whole life of a share: request → approve → grant → extension → revoke → delete.
#[test]
fn the_happy_path_walks_the_tables() {
    use ShareAction::*;
    let s = ShareState::new();
    assert!(s.apply(Submit, &[]).is_err(), "no item yet");
    let s = s.apply(AddItem, &[]).unwrap().apply(AddItem, &[]).unwrap();
    let s = s.apply(Submit, &[]).unwrap().apply(Approve, &[]).unwrap();
    let s = s.apply(StartShare, &[]).unwrap();
    assert!(s.apply(Finish, &[]).is_err(), "items still in progress");
    let s = s
        .item_outcome(0, true)
        .unwrap()
        .item_outcome(1, false)
        .unwrap();
    let s = s.apply(Finish, &[]).unwrap();
    assert_eq!(s.status, ShareStatus::Processed);
    assert_eq!(
        s.items,
        vec![ItemStatus::ShareSucceeded, ItemStatus::ShareFailed]
    );
    assert!(s.apply(Delete, &[]).is_err(), "access still granted");
    let s = s
        .apply(RequestExtension, &[])
        .unwrap()
        .apply(ApproveExtension, &[])
        .unwrap();
    assert_eq!(s.items[0], ItemStatus::ShareSucceeded);
    let s = s
        .apply(RevokeItems, &[0])
        .unwrap()
        .apply(StartRevoke, &[])
        .unwrap();
    assert_eq!(
        s.items,
        vec![ItemStatus::RevokeInProgress, ItemStatus::ShareFailed]
    );
    let s = s.item_outcome(0, true).unwrap().apply(Finish, &[]).unwrap();
    // A failed grant may be partial: it is revoked too before the request can go.
    assert!(
        s.apply(Delete, &[]).is_err(),
        "a failed grant is not revoked yet"
    );
    let s = s
        .apply(RevokeItems, &[1])
        .unwrap()
        .apply(StartRevoke, &[])
        .unwrap()
        .item_outcome(1, true)
        .unwrap()
        .apply(Finish, &[])
        .unwrap();
    let s = s.apply(Delete, &[]).unwrap();
    assert_eq!(s.status, ShareStatus::Deleted);
    assert!(s.items.iter().all(|i| *i == ItemStatus::Deleted));
}
