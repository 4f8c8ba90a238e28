//! Who is calling: the `integrator_*` and `solution_*` parameters PAYONE's own plugins send with every request
//! (Shopware 6: `integrator_name=shopware6`, `solution_name=kellerkinder`, with versions). PAYONE's
//! documentation lists them as optional; the simulator remembers them so a test can see what a client sends.

use payone_wire::PayoneRequest;
use serde::Serialize;

/// The four identification parameters of one request (`None` where absent or empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// The shop system (`integrator_name`).
    pub integrator_name: Option<String>,
    /// Its version (`integrator_version`).
    pub integrator_version: Option<String>,
    /// The payment module (`solution_name`).
    pub solution_name: Option<String>,
    /// Its version (`solution_version`).
    pub solution_version: Option<String>,
}

impl Caller {
    /// The identification `req` carries.
    pub(crate) fn of(req: &PayoneRequest) -> Caller {
        let field = |name: &str| req.get(name).filter(|v| !v.is_empty()).map(str::to_owned);
        Caller {
            integrator_name: field("integrator_name"),
            integrator_version: field("integrator_version"),
            solution_name: field("solution_name"),
            solution_version: field("solution_version"),
        }
    }
}
