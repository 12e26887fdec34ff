/**
 * Is an imported disk image a cloud image (cloud-init inside, no installer, no user)? Decided at
 * import; the user can change the flag afterwards (image.update { cloudImage }).
 *
 * Two sources: what osinfo-db says about the image (its list of the disk images distributions
 * publish, with cloud-init="true" or not, matched by file name: os/osinfo-db.ts `diskImages`,
 * passed in by the image library), and otherwise the file name, as distributions name their cloud images ("debian-12-genericcloud-amd64",
 * "jammy-server-cloudimg-amd64", "Fedora-Cloud-Base-39", "openSUSE-Leap-15.5-Minimal-VM.x86_64-Cloud",
 * "CentOS-Stream-GenericCloud-9", "AlmaLinux-9-GenericCloud", "Rocky-9-GenericCloud").
 */
const CLOUD_NAME_RE = /(?:^|[^a-z])(?:generic-?cloud|cloudimg|cloud-?base|cloud-?init|nocloud|cloud)(?:[^a-z]|$)/i;

export interface CloudImageHints {
  /** The file or image name. */
  name: string;
  /** osinfo-db's verdict for the detected OS (e.g. its image entry has cloud-init="true"); undefined when unknown. */
  osinfoCloudInit?: boolean | undefined;
}

export function looksLikeCloudImage(h: CloudImageHints): boolean {
  if (h.osinfoCloudInit !== undefined) return h.osinfoCloudInit;
  return CLOUD_NAME_RE.test(h.name);
}
