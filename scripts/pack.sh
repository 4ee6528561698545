#!/usr/bin/env bash
# Packs DeepImpression.Core, .Cuda, .Train and .Tool (with their snupkg symbols) into artifacts/packages, with the
# deterministic settings of a release build. Usage: scripts/pack.sh [extra dotnet pack arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/packages
dotnet pack DeepImpression.sln -c Release -p:ContinuousIntegrationBuild=true "$@"
ls -l artifacts/packages
