// Native libraries are imported as file assets (`with { type: "file" }`): the import is a path.
declare module "*.so" {
  const path: string;
  export default path;
}
