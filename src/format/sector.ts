// The disk index is laid out in 4 KiB sectors (DiskANN's SECTOR_LEN): sector 0 holds the metadata,
// node records never straddle a sector unless one record is larger than a sector. Readers align
// every read to this size too (O_DIRECT), so io takes the constant from here.
export const SECTOR_BYTES = 4096;
