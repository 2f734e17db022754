//! Where a coupled server's run meets the rest of the fleet: the answers (an activity's end)
//! the coupled replication gave to each activity the run asked for on a shared resource, and
//! the request that waits for one.

use std::cell::RefCell;

use crate::scenario::{Millis, ResourceId};

/// An activity's work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Work {
    /// Time at full speed (time-work on a shared resource, a hold on a slots resource, or
    /// simply time passing without a resource), in milliseconds.
    Time(Millis),
    /// Bytes to transfer (a download).
    Bytes(f64),
}

impl Work {
    /// The work in its resource's unit: milliseconds of time-work or bytes.
    pub fn amount(self) -> f64 {
        match self {
            Self::Time(t) => t as f64,
            Self::Bytes(b) => b,
        }
    }

    /// The time the work takes without a resource (bytes take none: a download always names
    /// its resource).
    pub fn time(self) -> Millis {
        match self {
            Self::Time(t) => t,
            Self::Bytes(_) => 0,
        }
    }
}

/// An activity a server asks to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// When it starts (the server's clock).
    pub at: Millis,
    /// On which resource.
    pub resource: ResourceId,
    /// On which of its instances.
    pub instance: u32,
    /// How much.
    pub work: Work,
    /// When it is given up if not done: the step's time-out or the run's deadline, whichever
    /// is first.
    pub expires: Millis,
}

/// How an activity ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Done.
    Done,
    /// Refused more often than the resource retries.
    Refused,
    /// Given up at its expiry.
    Expired,
}

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    /// When the activity ended.
    pub at: Millis,
    /// How.
    pub end: End,
}

/// One server's mailbox: the answers it has had so far, in order, and the request it is
/// waiting on.
#[derive(Debug, Default)]
pub struct Port {
    state: RefCell<Letters>,
}

#[derive(Debug, Default)]
struct Letters {
    /// Every answer so far, with the request it answers.
    answers: Vec<(Request, Response)>,
    /// Answers read in the current replay.
    read: usize,
    /// The request without an answer yet.
    waiting: Option<Request>,
}

impl Port {
    /// The next answer the current replay has not read, with the request it answers.
    pub fn next_answer(&self) -> Option<(Request, Response)> {
        let mut state = self.state.borrow_mut();
        let answer = state.answers.get(state.read).copied()?;
        state.read += 1;
        Some(answer)
    }

    /// Posts the request the run waits on (it has no answer yet).
    pub fn post(&self, request: Request) {
        self.state.borrow_mut().waiting = Some(request);
    }

    /// Before a replay: the answers are read again from the first kept.
    pub fn rewind(&self) {
        self.state.borrow_mut().read = 0;
    }

    /// An empty port with room for `answers` answers.
    pub fn with_room(answers: usize) -> Self {
        let port = Self::default();
        port.state.borrow_mut().answers.reserve(answers);
        port
    }

    /// The port with no answer and nothing waiting, its buffer kept (for the next replication).
    pub fn emptied(self) -> Self {
        {
            let mut state = self.state.borrow_mut();
            state.answers.clear();
            state.read = 0;
            state.waiting = None;
        }
        self
    }

    /// Forgets the answers the current replay has read: a later replay resumes after them.
    pub fn forget_read(&self) {
        let mut state = self.state.borrow_mut();
        let read = state.read;
        state.answers.drain(..read);
        state.read = 0;
    }

    /// The request waiting for an answer, if any.
    pub fn waiting(&self) -> Option<Request> {
        self.state.borrow().waiting
    }

    /// Answers the waiting request.
    pub fn answer(&self, response: Response) {
        let mut state = self.state.borrow_mut();
        if let Some(request) = state.waiting.take() {
            state.answers.push((request, response));
        }
    }
}
