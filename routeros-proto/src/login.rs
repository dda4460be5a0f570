//! Login arithmetic and the login exchange as a state machine (no I/O).
//!
//! RouterOS 6.43 and later accept `/login =name=U =password=P` and answer `!done`. Older
//! versions answer `/login` with `!done =ret=CHALLENGE` (hex), expecting
//! `/login =name=U =response=00` followed by the hex of `MD5(0x00 ‖ password ‖ unhex(challenge))`.
//! [`Login`] sends the modern form and falls back to the challenge when `=ret=` comes back, so
//! it works with both.

use std::fmt;

use md5::{Digest, Md5};

use crate::{Command, Lossy, ProtocolError, Reply, ReplyKind};

/// The `=response=` for a pre-6.43 challenge: `"00"` + hex(MD5(0x00 ‖ password ‖ challenge)).
pub fn challenge_response(password: &[u8], challenge_hex: &[u8]) -> Result<String, ProtocolError> {
    let challenge = hex::decode(challenge_hex)
        .map_err(|_| ProtocolError::BadChallenge(Lossy::new(challenge_hex)))?;
    let mut md5 = Md5::new();
    md5.update([0u8]);
    md5.update(password);
    md5.update(&challenge);
    Ok(format!("00{}", hex::encode(md5.finalize())))
}

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LoginMethod {
    /// Send name and password (6.43+); fall back to the challenge if the router answers `=ret=`.
    #[default]
    Auto,
    /// Only the pre-6.43 challenge: send a bare `/login` first.
    Challenge,
}

/// What to do after feeding a reply to [`Login`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginStep {
    /// Send this command and feed its reply.
    Send(Command),
    /// Logged in.
    Done,
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginFailure {
    /// The router refused (`!trap`); its message, e.g. `invalid user name or password (6)`.
    Refused(String),
    /// The router closed the session (`!fatal`), with its reason.
    Fatal(String),
    /// The router answered something the login exchange does not expect.
    Unexpected(String),
}

impl fmt::Display for LoginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(m) => write!(f, "login refused: {m}"),
            Self::Fatal(m) => write!(f, "router closed the session during login: {m}"),
            Self::Unexpected(m) => write!(f, "unexpected reply during login: {m}"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    SentPlain,
    SentBare,
    SentResponse,
    Finished,
}

/// The login exchange, driven by the replies fed to it.
///
/// ```
/// use routeros_proto::{login::{Login, LoginStep}, Reply};
/// let mut login = Login::new("admin", "secret");
/// let first = login.start();
/// assert_eq!(first.command().as_ref(), b"/login");
/// // A 6.43+ router answers a bare !done:
/// assert_eq!(login.on_reply(&Reply::done()).unwrap(), LoginStep::Done);
/// ```
pub struct Login {
    name: String,
    password: Vec<u8>,
    method: LoginMethod,
    state: State,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("method", &self.method)
            .finish()
    }
}

impl Login {
    /// A login with the default method ([`LoginMethod::Auto`]).
    pub fn new(name: &str, password: &str) -> Self {
        Self::with_method(name, password.as_bytes(), LoginMethod::Auto)
    }

    /// A login with an explicit method; the password is bytes.
    pub fn with_method(name: &str, password: &[u8], method: LoginMethod) -> Self {
        Login {
            name: name.to_owned(),
            password: password.to_vec(),
            method,
            state: State::Start,
        }
    }

    /// The first command to send.
    pub fn start(&mut self) -> Command {
        match self.method {
            LoginMethod::Auto => {
                self.state = State::SentPlain;
                Command::builder("/login")
                    .attribute("name", &self.name)
                    .attribute("password", &self.password)
                    .build()
            }
            LoginMethod::Challenge => {
                self.state = State::SentBare;
                Command::new("/login")
            }
        }
    }

    /// Feeds the reply to the last command sent.
    pub fn on_reply(&mut self, reply: &Reply) -> Result<LoginStep, LoginFailure> {
        match reply.kind() {
            ReplyKind::Trap => {
                self.state = State::Finished;
                let msg = reply.trap_info().map(|t| t.message).unwrap_or_default();
                Err(LoginFailure::Refused(msg))
            }
            ReplyKind::Fatal => {
                self.state = State::Finished;
                Err(LoginFailure::Fatal(
                    reply.fatal_reason().unwrap_or_default(),
                ))
            }
            ReplyKind::Done => match (self.state, reply.ret()) {
                (State::SentPlain | State::SentBare, Some(challenge)) => {
                    let response = challenge_response(&self.password, challenge)
                        .map_err(|e| LoginFailure::Unexpected(e.to_string()))?;
                    self.state = State::SentResponse;
                    Ok(LoginStep::Send(
                        Command::builder("/login")
                            .attribute("name", &self.name)
                            .attribute("response", response)
                            .build(),
                    ))
                }
                (State::SentPlain | State::SentResponse, None) => {
                    self.state = State::Finished;
                    Ok(LoginStep::Done)
                }
                _ => Err(LoginFailure::Unexpected("!done out of sequence".into())),
            },
            other => Err(LoginFailure::Unexpected(format!("{other:?}"))),
        }
    }
}
