use clap::Parser;

#[tokio::main]
async fn main() {
    let opts = nomad_sim::Opts::parse();
    if let Err(e) = nomad_sim::serve(opts).await {
        eprintln!("nomad-sim: {e}");
        std::process::exit(1);
    }
}
