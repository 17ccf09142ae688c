// The benchmark's poster: does nothing, so what is measured is daycap's own cost per job.
export default async function post() {
  return undefined;
}
