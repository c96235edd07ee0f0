//! Rebuilds the server when the web UI's build changes: `web.rs` embeds `web/dist`, and a new
//! build writes a new `index.html` (it names the hashed assets).
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist/index.html");
    println!("cargo:rerun-if-changed=build.rs");
}
